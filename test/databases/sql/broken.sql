-- A schema with an error on line 4.
CREATE TABLE fine (id INTEGER);

CREATE TABLE broken (id INTEGER NOT NULL,, label TEXT);
