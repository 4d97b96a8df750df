-- The language each person reads (en, zh-CN); NULL: the deployment's default.
ALTER TABLE persons ADD COLUMN lang TEXT;
