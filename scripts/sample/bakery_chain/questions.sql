-- How many shops does the chain have?
SELECT count(*) FROM shop;

-- List the names of the vegan products.
SELECT name FROM product WHERE is_vegan = 1;

-- What is the average price of a product?
SELECT avg(price) FROM product;

-- Which of our shops are in Seattle?
SELECT name FROM shop WHERE city = "Seattle";

-- What product categories do we sell?
SELECT DISTINCT category FROM product;

-- How many sales were made with a discount?
SELECT count(*) FROM sale WHERE discount IS NOT NULL;

-- What is the lowest hourly wage we pay?
SELECT min(hourly_wage) FROM employee;

-- How many bakers work for the chain?
SELECT count(*) FROM employee WHERE role = "Baker";

-- Show product names and prices from the cheapest to the most expensive.
SELECT name, price FROM product ORDER BY price;

-- How many employees does each shop have? Show the shop names.
SELECT T2.name, count(*) FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    GROUP BY T1.shop_id;

-- Which product has the most calories?
SELECT name FROM product ORDER BY calories DESC LIMIT 1;

-- Who works at Golden Crust Harbor?
SELECT T1.name FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    WHERE T2.name = "Golden Crust Harbor";

-- What is the total quantity sold of each product?
SELECT T2.name, sum(T1.quantity) FROM sale AS T1 JOIN product AS T2 ON T1.product_id = T2.product_id
    GROUP BY T1.product_id;

-- Which shop opened first?
SELECT name FROM shop ORDER BY opened_date LIMIT 1;

-- Give the names and wages of baristas who earn more than 18 dollars an hour.
SELECT name, hourly_wage FROM employee WHERE role = "Barista" AND hourly_wage > 18;

-- What is the average price in each product category?
SELECT category, avg(price) FROM product GROUP BY category;

-- How many shops are there in each city?
SELECT city, count(*) FROM shop GROUP BY city;

-- Which products have never been sold?
SELECT name FROM product WHERE product_id NOT IN (SELECT product_id FROM sale);

-- Which products cost more than the average product?
SELECT name FROM product WHERE price > (SELECT avg(price) FROM product);

-- Which cities have a shop with more than 30 seats and also a shop with fewer than 20?
SELECT city FROM shop WHERE seats > 30 INTERSECT SELECT city FROM shop WHERE seats < 20;

-- Which categories contain more than two products?
SELECT category FROM product GROUP BY category HAVING count(*) > 2;

-- Which shop sold the most items?
SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    GROUP BY T1.shop_id ORDER BY sum(T1.quantity) DESC LIMIT 1;

-- Which employees work outside Portland?
SELECT name FROM employee WHERE shop_id NOT IN (SELECT shop_id FROM shop WHERE city = "Portland");

-- Which products are vegan or cost less than 2.50?
SELECT name FROM product WHERE is_vegan = 1 UNION SELECT name FROM product WHERE price < 2.5;

-- Which shops sold croissants but never sourdough loaves?
SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T3.name = "Croissant"
    EXCEPT SELECT T2.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T3.name = "Sourdough Loaf";

-- What revenue did each shop make before discounts? List the shops from highest to lowest revenue.
SELECT T2.name, sum(T1.quantity * T3.price) FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    JOIN product AS T3 ON T1.product_id = T3.product_id GROUP BY T1.shop_id
    ORDER BY sum(T1.quantity * T3.price) DESC;

-- Which vegan products were sold in Seattle? List each once, alphabetically.
SELECT DISTINCT T3.name FROM sale AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id
    JOIN product AS T3 ON T1.product_id = T3.product_id WHERE T2.city = "Seattle" AND T3.is_vegan = 1
    ORDER BY T3.name;

-- Which employees of shops with more than 35 seats earn more than the average hourly wage?
SELECT T1.name FROM employee AS T1 JOIN shop AS T2 ON T1.shop_id = T2.shop_id WHERE T2.seats > 35
    AND T1.hourly_wage > (SELECT avg(hourly_wage) FROM employee);

-- Who is our most recently hired employee?
SELECT name FROM employee ORDER BY start_date DESC LIMIT 1;

-- Which products sold more than 20 units in total?
SELECT T2.name FROM sale AS T1 JOIN product AS T2 ON T1.product_id = T2.product_id
    GROUP BY T1.product_id HAVING sum(T1.quantity) > 20;
