INSERT INTO airport (airport_code, name, city, country, latitude, longitude, elevation_ft) VALUES
    ('JFK', 'John F. Kennedy International', 'New York', 'United States', 40.64, -73.78, 13),
    ('LAX', 'Los Angeles International', 'Los Angeles', 'United States', 33.94, -118.41, 128),
    ('ORD', 'O''Hare International', 'Chicago', 'United States', 41.98, -87.9, 672),
    ('LHR', 'Heathrow', 'London', 'United Kingdom', 51.47, -0.45, 83),
    ('CDG', 'Charles de Gaulle', 'Paris', 'France', 49.01, 2.55, 392),
    ('FRA', 'Frankfurt am Main', 'Frankfurt', 'Germany', 50.04, 8.56, 364),
    ('NRT', 'Narita International', 'Tokyo', 'Japan', 35.77, 140.39, 141),
    ('HND', 'Haneda', 'Tokyo', 'Japan', 35.55, 139.78, 35),
    ('SYD', 'Kingsford Smith', 'Sydney', 'Australia', -33.95, 151.18, 21),
    ('DXB', 'Dubai International', 'Dubai', 'United Arab Emirates', 25.25, 55.36, 62),
    ('SIN', 'Changi', 'Singapore', 'Singapore', 1.36, 103.99, 22),
    ('GRU', 'Guarulhos International', 'Sao Paulo', 'Brazil', -23.43, -46.47, 2459),
    ('YYZ', 'Toronto Pearson', 'Toronto', 'Canada', 43.68, -79.63, 569);

INSERT INTO airline (airline_id, name, country, founded_year, alliance) VALUES
    (1, 'Atlantic Air', 'United States', 1962, 'Star Horizon'),
    (2, 'Crown Airways', 'United Kingdom', 1974, 'OneSky'),
    (3, 'Sakura Wings', 'Japan', 1988, 'OneSky'),
    (4, 'Southern Cross Airlines', 'Australia', 1995, NULL),
    (5, 'Gulf Falcon', 'United Arab Emirates', 2003, NULL),
    (6, 'Maple Jet', 'Canada', 1979, 'Star Horizon'),
    (7, 'Lumiere Air', 'France', 1951, 'Star Horizon'),
    (8, 'Condor Verde', 'Brazil', 2009, NULL),
    (9, 'Nordic Aurora', 'Norway', 1998, 'OneSky'),
    (10, 'Pacific Pearl Airways', 'Singapore', 1972, NULL);

INSERT INTO aircraft (aircraft_id, model, manufacturer, seats, range_km) VALUES
    (1, 'A320neo', 'Airbus', 180, 6300),
    (2, 'A350-900', 'Airbus', 325, 15000),
    (3, '737 MAX 8', 'Boeing', 178, 6570),
    (4, '787-9', 'Boeing', 296, 14140),
    (5, '777-300ER', 'Boeing', 396, 13650),
    (6, 'E195-E2', 'Embraer', 132, 4800),
    (7, 'A380-800', 'Airbus', 525, 14800),
    (8, 'A220-300', 'Airbus', 140, 6300),
    (9, 'ATR 72-600', 'ATR', 70, 1500),
    (10, 'CRJ900', 'Bombardier', 90, 2900);
