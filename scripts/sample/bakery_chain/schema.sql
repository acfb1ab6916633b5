CREATE TABLE shop (
    shop_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    city TEXT,
    opened_date DATE,
    manager TEXT,
    seats INTEGER
);

CREATE TABLE product (
    product_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT,
    price REAL,
    is_vegan BOOLEAN,
    calories INTEGER
);

CREATE TABLE employee (
    employee_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    shop_id INTEGER NOT NULL,
    role TEXT,
    hourly_wage REAL,
    start_date DATE,
    FOREIGN KEY (shop_id) REFERENCES shop(shop_id)
);

CREATE TABLE sale (
    sale_id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    sale_date DATE NOT NULL,
    quantity INTEGER NOT NULL,
    discount REAL,
    FOREIGN KEY (shop_id) REFERENCES shop(shop_id),
    FOREIGN KEY (product_id) REFERENCES product(product_id)
);
