INSERT INTO team (team_id, name, city, founded_year, stadium, capacity) VALUES
    (1, 'Harbor City FC', 'Harbor City', 1899, 'Dockside Arena', 42000),
    (2, 'Northvale United', 'Northvale', 1905, 'Pine Road', 31000),
    (3, 'Redcliff Rovers', 'Redcliff', 1921, 'Cliff Park', 18500),
    (4, 'Eastbrook Athletic', 'Eastbrook', 1887, 'The Meadow', 26000),
    (5, 'Westport Wanderers', 'Westport', 1932, 'Seaview Stadium', 22500),
    (6, 'Kingsford Town', 'Kingsford', 1910, 'Crown Ground', 15000),
    (7, 'Ashford City', 'Ashford', 1948, 'Ashford Bowl', 12800),
    (8, 'Millbrook Rangers', 'Millbrook', 1963, 'Mill Lane', NULL),
    (9, 'Southgate Albion', 'Southgate', 1919, 'Albion Park', 20500),
    (10, 'Lakeview Harriers', 'Lakeview', 1975, 'Harrier Field', 9800);
