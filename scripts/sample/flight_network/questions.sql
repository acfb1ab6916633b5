-- How many airports are in the network?
SELECT count(*) FROM airport;

-- What are the names of the airports in Tokyo?
SELECT name FROM airport WHERE city = "Tokyo";

-- Which airlines were founded before 1980?
SELECT name FROM airline WHERE founded_year < 1980;

-- What is the average number of seats on an aircraft?
SELECT avg(seats) FROM aircraft;

-- How many flights leave from JFK?
SELECT count(*) FROM flight WHERE origin = "JFK";

-- List the aircraft manufacturers without repeats.
SELECT DISTINCT manufacturer FROM aircraft;

-- What is the longest flight distance in kilometers?
SELECT max(distance_km) FROM flight;

-- Which airlines are not part of any alliance?
SELECT name FROM airline WHERE alliance IS NULL;

-- Show every airport code with its elevation, from the highest airport to the lowest.
SELECT airport_code, elevation_ft FROM airport ORDER BY elevation_ft DESC;

-- How many airports does each country have?
SELECT country, count(*) FROM airport GROUP BY country;

-- Which aircraft model has the most seats?
SELECT model FROM aircraft ORDER BY seats DESC LIMIT 1;

-- List the flight numbers operated by Sakura Wings.
SELECT T1.flight_number FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id
    WHERE T2.name = "Sakura Wings";

-- What is the average ticket price of each airline? Show the airline names.
SELECT T2.name, avg(T1.price) FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id
    GROUP BY T1.airline_id;

-- Give the names and cities of the airports in the United States.
SELECT name, city FROM airport WHERE country = "United States";

-- How many flights are flown with aircraft from each manufacturer?
SELECT T2.manufacturer, count(*) FROM flight AS T1 JOIN aircraft AS T2 ON T1.aircraft_id = T2.aircraft_id
    GROUP BY T2.manufacturer;

-- What are the flight numbers of the five shortest flights by duration?
SELECT flight_number FROM flight ORDER BY duration_min LIMIT 5;

-- From which airport does the most expensive flight depart?
SELECT T2.name FROM flight AS T1 JOIN airport AS T2 ON T1.origin = T2.airport_code
    ORDER BY T1.price DESC LIMIT 1;

-- How many airlines belong to each alliance?
SELECT alliance, count(*) FROM airline WHERE alliance IS NOT NULL GROUP BY alliance;

-- Which airports have no departing flights?
SELECT name FROM airport WHERE airport_code NOT IN (SELECT origin FROM flight);

-- Which flights are more expensive than the average flight? Give their flight numbers.
SELECT flight_number FROM flight WHERE price > (SELECT avg(price) FROM flight);

-- Which airports are both the origin of some flight and the destination of another?
SELECT origin FROM flight INTERSECT SELECT destination FROM flight;

-- Which aircraft models are built by Airbus or can fly more than 14000 km?
SELECT model FROM aircraft WHERE manufacturer = "Airbus"
    UNION SELECT model FROM aircraft WHERE range_km > 14000;

-- Which airlines operate more than five flights?
SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id
    GROUP BY T1.airline_id HAVING count(*) > 5;

-- Which aircraft models are not used on any flight?
SELECT model FROM aircraft WHERE aircraft_id NOT IN (SELECT aircraft_id FROM flight);

-- Which cities can you fly to directly from London Heathrow?
SELECT T2.city FROM flight AS T1 JOIN airport AS T2 ON T1.destination = T2.airport_code
    WHERE T1.origin = "LHR";

-- Which airline covers the greatest total distance with its flights?
SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id
    GROUP BY T1.airline_id ORDER BY sum(T1.distance_km) DESC LIMIT 1;

-- List the flight numbers and prices of flights departing from American airports, cheapest first.
SELECT T1.flight_number, T1.price FROM flight AS T1 JOIN airport AS T2 ON T1.origin = T2.airport_code
    WHERE T2.country = "United States" ORDER BY T1.price;

-- Which airlines fly out of Paris but not out of Frankfurt?
SELECT T2.name FROM flight AS T1 JOIN airline AS T2 ON T1.airline_id = T2.airline_id
    WHERE T1.origin = "CDG" EXCEPT SELECT T2.name FROM flight AS T1 JOIN airline AS T2
    ON T1.airline_id = T2.airline_id WHERE T1.origin = "FRA";

-- For each destination country, how many flights arrive there and how long do they take on average? Show the busiest countries first.
SELECT T2.country, count(*), avg(T1.duration_min) FROM flight AS T1 JOIN airport AS T2
    ON T1.destination = T2.airport_code GROUP BY T2.country ORDER BY count(*) DESC;

-- Which aircraft models are used on flights longer than the average flight distance?
SELECT DISTINCT T2.model FROM flight AS T1 JOIN aircraft AS T2 ON T1.aircraft_id = T2.aircraft_id
    WHERE T1.distance_km > (SELECT avg(distance_km) FROM flight);
