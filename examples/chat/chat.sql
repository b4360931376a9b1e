-- A chat application's SQLite database, shaped like the ones that migrate in practice:
-- AUTOINCREMENT keys, 0/1 flags, JSON in TEXT, epoch-second timestamps with strftime defaults,
-- ISO text dates, a composite key, an FTS5 external-content index kept in sync by triggers,
-- a view, an updated_at trigger, a partial index, CHECKs and ON DELETE CASCADE.
-- `examples/chat/chat.db` is built from this file (tests check that it still is).
PRAGMA foreign_keys = ON;

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name TEXT NOT NULL CHECK (length(display_name) > 0),
    is_admin INTEGER NOT NULL DEFAULT 0,
    is_active INTEGER NOT NULL DEFAULT 1,
    settings TEXT NOT NULL DEFAULT '{}',
    birthday DATE,
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    avatar BLOB
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT,
    kind TEXT NOT NULL DEFAULT 'direct' CHECK (kind IN ('direct', 'group', 'channel')),
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    is_archived INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'member',
    joined_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    is_muted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    sender_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    reply_to_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    metadata TEXT,
    client_id TEXT,
    sent_at INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
    edited_on DATETIME,
    is_deleted INTEGER NOT NULL DEFAULT 0,
    score REAL,
    tip NUMERIC(10, 2)
);

CREATE INDEX messages_by_conversation ON messages(conversation_id, sent_at DESC);
CREATE INDEX messages_live ON messages(conversation_id) WHERE is_deleted = 0;
CREATE INDEX users_display_name_lower ON users(lower(display_name));

CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='porter unicode61');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER users_touch_updated_at AFTER UPDATE ON users FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN
    UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

CREATE VIEW conversation_summaries AS
    SELECT c.id, c.title, count(m.id) AS message_count, max(m.sent_at) AS last_sent_at
    FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id AND m.is_deleted = 0
    GROUP BY c.id, c.title;

-- Deterministic data: no random(), no clock.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO users (email, display_name, is_admin, is_active, settings, birthday, created_at, updated_at, avatar)
SELECT 'user' || i || '@example.org',
       'User ' || i,
       i % 20 = 1,
       i % 7 <> 0,
       json_object('theme', CASE i % 3 WHEN 0 THEN 'dark' ELSE 'light' END, 'notifications', json(CASE WHEN i % 2 THEN 'true' ELSE 'false' END)),
       CASE WHEN i % 5 = 0 THEN NULL ELSE date('1970-01-01', '+' || (i * 211) || ' days') END,
       1600000000 + i * 86400,
       datetime(1600000000 + i * 90000, 'unixepoch'),
       CASE WHEN i % 10 = 0 THEN zeroblob(16) ELSE NULL END
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25)
INSERT INTO conversations (title, kind, created_by, created_at, is_archived)
SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE 'Conversation ' || i END,
       CASE i % 3 WHEN 0 THEN 'direct' WHEN 1 THEN 'group' ELSE 'channel' END,
       (i * 7) % 60 + 1, 1600100000 + i * 3600, i % 9 = 0
FROM n;

WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 149)
INSERT OR IGNORE INTO participants (conversation_id, user_id, role, joined_at, is_muted)
SELECT i % 25 + 1, (i * 13) % 60 + 1, CASE WHEN i % 11 = 0 THEN 'owner' ELSE 'member' END, 1600200000 + i * 60, i % 6 = 0
FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO messages (conversation_id, sender_id, reply_to_id, body, metadata, client_id, sent_at, edited_on, is_deleted, score, tip)
SELECT i % 25 + 1,
       (i * 17) % 60 + 1,
       CASE WHEN i > 10 AND i % 4 = 0 THEN i - 3 ELSE NULL END,
       CASE i % 5
           WHEN 0 THEN 'Running late, see you at the station ' || i
           WHEN 1 THEN 'Did you read the report about databases? #' || i
           WHEN 2 THEN 'The migration to PostgreSQL is scheduled for Friday ' || i
           WHEN 3 THEN 'Lunch? I found a café with great crêpes ' || i
           ELSE 'Shipping the new search feature today ' || i END,
       CASE WHEN i % 3 = 0 THEN json_object('client', CASE i % 2 WHEN 0 THEN 'ios' ELSE 'web' END, 'attachments', json_array(i, i + 1)) ELSE NULL END,
       printf('%08x-%04x-4%03x-8%03x-%012x', i * 2654435761 % 4294967296, i % 65536, i % 4096, (i * 7) % 4096, i * 1000003),
       1600300000 + i * 45,
       CASE WHEN i % 13 = 0 THEN datetime(1600300000 + i * 45 + 120, 'unixepoch') ELSE NULL END,
       i % 17 = 0,
       CASE WHEN i % 2 = 0 THEN (i % 100) / 8.0 ELSE NULL END,
       CASE WHEN i % 50 = 0 THEN (i % 1000) / 4.0 ELSE NULL END
FROM n;

DELETE FROM messages WHERE id IN (2999, 3000);
