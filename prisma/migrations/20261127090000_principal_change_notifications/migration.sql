-- API processes cache who is behind a bearer token (src/services/identity/principal-cache.ts). They may do so
-- only because every change to a session or a user is announced on this channel, whoever makes it: a logout,
-- a password change, new roles, or an operator in psql. The notification is sent when the transaction commits.
CREATE FUNCTION notify_principals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('principals_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_principals_changed
  AFTER UPDATE OR DELETE OR TRUNCATE ON "sessions"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_principals_changed();

CREATE TRIGGER users_principals_changed
  AFTER UPDATE OR DELETE OR TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION notify_principals_changed();
