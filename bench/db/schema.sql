-- The schema of bench/run's database-bound workloads (db_sqlite,
-- db_postgresql, db_mariadb): accounts and the transfers booked on them,
-- with a foreign key and an index, and 50 accounts to start from. Plain
-- SQL that SQLite, PostgreSQL and MariaDB all run unchanged.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  owner VARCHAR(64) NOT NULL,
  balance BIGINT NOT NULL
);

CREATE TABLE transfers (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  amount BIGINT NOT NULL,
  note VARCHAR(200) NOT NULL,
  FOREIGN KEY (account_id) REFERENCES accounts (id)
);

CREATE INDEX transfers_account ON transfers (account_id);

INSERT INTO accounts (id, owner, balance) VALUES
  (1, 'owner 1', 1000), (2, 'owner 2', 1000), (3, 'owner 3', 1000),
  (4, 'owner 4', 1000), (5, 'owner 5', 1000), (6, 'owner 6', 1000),
  (7, 'owner 7', 1000), (8, 'owner 8', 1000), (9, 'owner 9', 1000),
  (10, 'owner 10', 1000), (11, 'owner 11', 1000), (12, 'owner 12', 1000),
  (13, 'owner 13', 1000), (14, 'owner 14', 1000), (15, 'owner 15', 1000),
  (16, 'owner 16', 1000), (17, 'owner 17', 1000), (18, 'owner 18', 1000),
  (19, 'owner 19', 1000), (20, 'owner 20', 1000), (21, 'owner 21', 1000),
  (22, 'owner 22', 1000), (23, 'owner 23', 1000), (24, 'owner 24', 1000),
  (25, 'owner 25', 1000), (26, 'owner 26', 1000), (27, 'owner 27', 1000),
  (28, 'owner 28', 1000), (29, 'owner 29', 1000), (30, 'owner 30', 1000),
  (31, 'owner 31', 1000), (32, 'owner 32', 1000), (33, 'owner 33', 1000),
  (34, 'owner 34', 1000), (35, 'owner 35', 1000), (36, 'owner 36', 1000),
  (37, 'owner 37', 1000), (38, 'owner 38', 1000), (39, 'owner 39', 1000),
  (40, 'owner 40', 1000), (41, 'owner 41', 1000), (42, 'owner 42', 1000),
  (43, 'owner 43', 1000), (44, 'owner 44', 1000), (45, 'owner 45', 1000),
  (46, 'owner 46', 1000), (47, 'owner 47', 1000), (48, 'owner 48', 1000),
  (49, 'owner 49', 1000), (50, 'owner 50', 1000);
