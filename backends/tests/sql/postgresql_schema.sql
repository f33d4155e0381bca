-- Schema of the PostgreSQL fill test: rows with a ';' and a quote, and a
-- function whose dollar-quoted body holds a ';'.
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO items (name) VALUES ('a;b'), (E'c\'d'), ('e');
CREATE FUNCTION item_count() RETURNS bigint AS $$
  SELECT count(*) FROM items;
$$ LANGUAGE sql;
CREATE VIEW item_names AS SELECT name FROM items;
