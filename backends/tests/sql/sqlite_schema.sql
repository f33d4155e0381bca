-- Schema of the SQLite fill test: rows with a ';' and a quote, and a
-- trigger whose body holds a ';'.
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE log (id INTEGER PRIMARY KEY, note TEXT);
CREATE TRIGGER items_log AFTER INSERT ON items BEGIN
  INSERT INTO log (note) VALUES ('added;' || NEW.name);
END;
INSERT INTO items (name) VALUES ('a;b'), ('c''d'), ('e');
