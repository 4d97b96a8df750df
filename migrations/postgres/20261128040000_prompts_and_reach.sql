-- Questions the bot put to a person (a resolution note after pressing Resolve…): the
-- answer arrives later as free text (a reply to the question on Telegram, a form on
-- Discord) and runs the stored action as that person, once.
CREATE TABLE prompts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES persons(id),
    action       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    answered_at  BIGINT
);

-- Where an account was last seen in a group, so a direct message it cannot receive (a
-- Telegram user who never started the bot) is announced there once; and when that was.
ALTER TABLE accounts ADD COLUMN last_group TEXT;
ALTER TABLE accounts ADD COLUMN dm_blocked_at BIGINT;

-- An answer that replies to a question's message finds the question through its notice.
CREATE INDEX notices_by_message ON notices (platform, channel_id, message_id);
