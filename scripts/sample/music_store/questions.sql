-- How many artists does the store carry?
SELECT count(*) FROM artist;

-- List the titles of all jazz albums.
SELECT title FROM album WHERE genre = "Jazz";

-- What is the average length of a track in seconds?
SELECT avg(duration_sec) FROM track;

-- Which customers have not given an email address? List their last names.
SELECT last_name FROM customer WHERE email IS NULL;

-- How many albums came out after 2015?
SELECT count(*) FROM album WHERE release_year > 2015;

-- Which countries do our customers come from?
SELECT DISTINCT country FROM customer;

-- What does the cheapest album cost?
SELECT min(price) FROM album;

-- Find the names of the artists from the United States.
SELECT name FROM artist WHERE country = "United States";

-- Show the title and price of each album, from the most to the least expensive.
SELECT title, price FROM album ORDER BY price DESC;

-- How many albums are there in each genre?
SELECT genre, count(*) FROM album GROUP BY genre;

-- What is the title of the oldest album?
SELECT title FROM album ORDER BY release_year LIMIT 1;

-- List the albums by Neon Harbor.
SELECT T1.title FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id
    WHERE T2.name = "Neon Harbor";

-- How many tracks are on each album? Give the album titles.
SELECT T2.title, count(*) FROM track AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id
    GROUP BY T1.album_id;

-- How many customers are there in each country?
SELECT country, count(*) FROM customer GROUP BY country;

-- What are the full names of our customers in Germany?
SELECT first_name, last_name FROM customer WHERE country = "Germany";

-- What is the name of the longest track?
SELECT name FROM track ORDER BY duration_sec DESC LIMIT 1;

-- How many copies has each customer bought in total?
SELECT T2.first_name, T2.last_name, sum(T1.quantity) FROM purchase AS T1 JOIN customer AS T2
    ON T1.customer_id = T2.customer_id GROUP BY T1.customer_id;

-- Which albums have never been bought?
SELECT title FROM album WHERE album_id NOT IN (SELECT album_id FROM purchase);

-- Which albums are priced above the average album?
SELECT title FROM album WHERE price > (SELECT avg(price) FROM album);

-- Which genres have albums released before 2000 as well as albums released after 2015?
SELECT genre FROM album WHERE release_year < 2000
    INTERSECT SELECT genre FROM album WHERE release_year > 2015;

-- Which artists have released more than two albums?
SELECT T2.name FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id
    GROUP BY T1.artist_id HAVING count(*) > 2;

-- Name the artists that have a rock album or that formed before 1990.
SELECT T2.name FROM album AS T1 JOIN artist AS T2 ON T1.artist_id = T2.artist_id
    WHERE T1.genre = "Rock" UNION SELECT name FROM artist WHERE formed_year < 1990;

-- Which customers have never made a purchase? Give their first and last names.
SELECT first_name, last_name FROM customer WHERE customer_id NOT IN (SELECT customer_id FROM purchase);

-- Which tracks are longer than every track on Blue Kyoto?
SELECT name FROM track WHERE duration_sec > (SELECT max(T1.duration_sec) FROM track AS T1
    JOIN album AS T2 ON T1.album_id = T2.album_id WHERE T2.title = "Blue Kyoto");

-- Which genre has the highest average album price?
SELECT genre FROM album GROUP BY genre ORDER BY avg(price) DESC LIMIT 1;

-- Which artist has sold the most copies?
SELECT T3.name FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id
    JOIN artist AS T3 ON T2.artist_id = T3.artist_id GROUP BY T3.artist_id
    ORDER BY sum(T1.quantity) DESC LIMIT 1;

-- What albums have customers from Canada bought? List each title once, alphabetically.
SELECT DISTINCT T2.title FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id
    JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T3.country = "Canada" ORDER BY T2.title;

-- Which countries have customers who bought jazz albums but none who bought pop albums?
SELECT T3.country FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id
    JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T2.genre = "Jazz"
    EXCEPT SELECT T3.country FROM purchase AS T1 JOIN album AS T2 ON T1.album_id = T2.album_id
    JOIN customer AS T3 ON T1.customer_id = T3.customer_id WHERE T2.genre = "Pop";

-- For every genre with at least three albums, what is the average album price?
SELECT genre, avg(price) FROM album GROUP BY genre HAVING count(*) >= 3;

-- Which albums released after 2010 have a track longer than five minutes?
SELECT title FROM album WHERE release_year > 2010
    AND album_id IN (SELECT album_id FROM track WHERE duration_sec > 300);
