-- How many books does the library have?
SELECT count(*) FROM book;

-- List the titles of all romance books.
SELECT title FROM book WHERE genre = "Romance";

-- What are the names of the authors from the United Kingdom?
SELECT name FROM author WHERE nationality = "United Kingdom";

-- How many members live in Riverton?
SELECT count(*) FROM member WHERE city = "Riverton";

-- What is the average number of pages of a book?
SELECT avg(pages) FROM book;

-- Which loans have not been returned yet? Give their ids.
SELECT loan_id FROM loan WHERE return_date IS NULL;

-- Show all the different genres in the catalogue.
SELECT DISTINCT genre FROM book;

-- What is the highest price of any book?
SELECT max(price) FROM book;

-- List every book's title and publication year, from the oldest to the newest.
SELECT title, pub_year FROM book ORDER BY pub_year;

-- How many books are there in each genre?
SELECT genre, count(*) FROM book GROUP BY genre;

-- What is the title of the longest book?
SELECT title FROM book ORDER BY pages DESC LIMIT 1;

-- Give the titles of the books written by Haruki Murakami.
SELECT T1.title FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id
    WHERE T2.name = "Haruki Murakami";

-- Which genre has the most books?
SELECT genre FROM book GROUP BY genre ORDER BY count(*) DESC LIMIT 1;

-- For each city, how many library members live there?
SELECT city, count(*) FROM member GROUP BY city;

-- Show the names of members together with the titles of the books they borrowed.
SELECT T3.name, T2.title FROM loan AS T1 JOIN book AS T2 ON T1.book_id = T2.book_id
    JOIN member AS T3 ON T1.member_id = T3.member_id;

-- What are the names and nationalities of authors born before 1900?
SELECT name, nationality FROM author WHERE birth_year < 1900;

-- What is the total of late fees paid by members from Lakeside?
SELECT sum(T1.fee) FROM loan AS T1 JOIN member AS T2 ON T1.member_id = T2.member_id
    WHERE T2.city = "Lakeside";

-- Which three books were published most recently?
SELECT title FROM book ORDER BY pub_year DESC LIMIT 3;

-- What is the average book price for each author nationality?
SELECT T2.nationality, avg(T1.price) FROM book AS T1 JOIN author AS T2
    ON T1.author_id = T2.author_id GROUP BY T2.nationality;

-- Which authors have no books in the library?
SELECT name FROM author WHERE author_id NOT IN (SELECT author_id FROM book);

-- List the titles of books that are longer than the average book.
SELECT title FROM book WHERE pages > (SELECT avg(pages) FROM book);

-- Which genres have more than three books?
SELECT genre FROM book GROUP BY genre HAVING count(*) > 3;

-- Which genres include both books published before 1900 and books published after 1950?
SELECT genre FROM book WHERE pub_year < 1900 INTERSECT SELECT genre FROM book WHERE pub_year > 1950;

-- Find the names of authors who are Italian or Japanese.
SELECT name FROM author WHERE nationality = "Italy"
    UNION SELECT name FROM author WHERE nationality = "Japan";

-- Which members have never borrowed a book?
SELECT name FROM member WHERE member_id NOT IN (SELECT member_id FROM loan);

-- Which authors have at least three books in the catalogue?
SELECT T2.name FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id
    GROUP BY T1.author_id HAVING count(*) >= 3;

-- Whose books have been borrowed the most times? Give the author's name.
SELECT T3.name FROM loan AS T1 JOIN book AS T2 ON T1.book_id = T2.book_id
    JOIN author AS T3 ON T2.author_id = T3.author_id GROUP BY T3.author_id ORDER BY count(*) DESC LIMIT 1;

-- List the title and author of every book that has never been lent out, sorted by title.
SELECT T1.title, T2.name FROM book AS T1 JOIN author AS T2 ON T1.author_id = T2.author_id
    WHERE T1.book_id NOT IN (SELECT book_id FROM loan) ORDER BY T1.title;

-- For members living in Springfield, how many loans has each made? Show the busiest borrowers first.
SELECT T2.name, count(*) FROM loan AS T1 JOIN member AS T2 ON T1.member_id = T2.member_id
    WHERE T2.city = "Springfield" GROUP BY T1.member_id ORDER BY count(*) DESC;

-- Which books published after 1900 cost more than the average romance book?
SELECT title FROM book WHERE price > (SELECT avg(price) FROM book WHERE genre = "Romance")
    AND pub_year > 1900;
