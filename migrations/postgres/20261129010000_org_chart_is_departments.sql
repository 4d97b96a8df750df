-- A person's manager is their department's manager (and above that, the manager of the
-- manager's department). The per-person override was never written: drop it.
ALTER TABLE persons DROP COLUMN manager_id;
