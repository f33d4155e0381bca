-- A schema with a syntax error: the misspelt NULL on line 7.
CREATE TABLE ok_table (id INTEGER PRIMARY KEY);
INSERT INTO ok_table VALUES (1);

CREATE TABLE broken (
  id INTEGER PRIMARY KEY,
  name VARCHAR(10) NOT NUL
);
