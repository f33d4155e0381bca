# Schema of the MariaDB clone fidelity test: foreign keys with a cascade,
# an AUTO_INCREMENT position above the largest id, a zero id, generated
# and invisible columns, a non-InnoDB table, a sequence, a function used by
# a view, a view on that view, a procedure, two triggers and an event.
SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO');
CREATE TABLE customers (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(40) NOT NULL,
  name_length INT AS (CHAR_LENGTH(name)) VIRTUAL,
  secret VARCHAR(10) INVISIBLE DEFAULT 'hidden'
) ENGINE=InnoDB;
CREATE TABLE orders (
  id INT AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount DECIMAL(10,2) NOT NULL,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB;
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(80));
CREATE TABLE settings (k VARCHAR(20) PRIMARY KEY, v VARCHAR(20)) ENGINE=Aria;
CREATE SEQUENCE invoice_numbers START WITH 100 INCREMENT BY 1;
INSERT INTO customers (id, name) VALUES (0, 'zero');
INSERT INTO customers (name) VALUES ('ann'), ('bob'), ('cid'), ('dan'), ('eve');
DELETE FROM customers WHERE name IN ('dan', 'eve');
UPDATE customers SET secret = 'ann-only' WHERE name = 'ann';
INSERT INTO orders (customer_id, amount) VALUES (1, 10.50), (1, 3.25), (2, 99.99), (0, 1.00);
INSERT INTO settings VALUES ('mode', 'test');
SELECT NEXTVAL(invoice_numbers);
DELIMITER //
CREATE FUNCTION order_total(customer INT) RETURNS DECIMAL(10,2) READS SQL DATA
BEGIN
  RETURN (SELECT IFNULL(SUM(amount), 0) FROM orders WHERE customer_id = customer);
END//
CREATE PROCEDURE add_order(IN customer INT, IN value DECIMAL(10,2))
BEGIN
  INSERT INTO orders (customer_id, amount) VALUES (customer, value);
END//
CREATE TRIGGER orders_before_insert BEFORE INSERT ON orders FOR EACH ROW
BEGIN
  IF NEW.amount < 0 THEN SET NEW.amount = 0; END IF;
END//
CREATE TRIGGER orders_after_insert AFTER INSERT ON orders FOR EACH ROW
BEGIN
  INSERT INTO audit (note) VALUES (CONCAT('order ', NEW.id, ';', NEW.amount));
END//
DELIMITER ;
CALL add_order(2, -5);
CREATE VIEW customer_totals AS
  SELECT id, name, order_total(id) AS total FROM customers;
CREATE VIEW big_customers AS SELECT name FROM customer_totals WHERE total > 10;
CREATE EVENT nightly_cleanup ON SCHEDULE EVERY 1 DAY DISABLE
  DO DELETE FROM audit WHERE id < 0;
