# Schema of the MariaDB fill test: rows with a ';' and a quote, and a
# trigger defined under DELIMITER whose body holds a ';'.
CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL);
CREATE TABLE log (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40));
DELIMITER //
CREATE TRIGGER items_log AFTER INSERT ON items FOR EACH ROW BEGIN
  INSERT INTO log (note) VALUES (CONCAT('added;', NEW.name));
END//
DELIMITER ;
INSERT INTO items (name) VALUES ('a;b'), ('c\'d'), ('e');
