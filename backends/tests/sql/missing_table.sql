-- A schema whose third line uses a table that does not exist.
CREATE TABLE ok_table (id INTEGER PRIMARY KEY);
INSERT INTO nowhere VALUES (1);
