-- The schema of the database fixture: a table the tests write markers
-- into, and reference data every clone must carry.
CREATE TABLE markers (
  worker INTEGER NOT NULL,
  test_name VARCHAR(200) NOT NULL
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  label VARCHAR(50) NOT NULL
);
INSERT INTO items (id, label) VALUES (1, 'one'), (2, 'two'), (3, 'three');
