-- How many teams are in the league?
SELECT count(*) FROM team;

-- List the names of all goalkeepers.
SELECT name FROM player WHERE position = "Goalkeeper";

-- What is the largest stadium capacity in the league?
SELECT max(capacity) FROM team;

-- How many goals were scored from the penalty spot?
SELECT count(*) FROM goal WHERE is_penalty = 1;

-- What is the average attendance at a match?
SELECT avg(attendance) FROM game;

-- What nationalities do the players have?
SELECT DISTINCT nationality FROM player;

-- Which clubs were founded before 1900?
SELECT name FROM team WHERE founded_year < 1900;

-- How many players have no salary on record?
SELECT count(*) FROM player WHERE salary IS NULL;

-- Show the name and shirt number of every forward.
SELECT name, shirt_number FROM player WHERE position = "Forward";

-- How many players play in each position?
SELECT position, count(*) FROM player GROUP BY position;

-- On what date was the best attended match played?
SELECT game_date FROM game ORDER BY attendance DESC LIMIT 1;

-- Who plays for Redcliff Rovers?
SELECT T1.name FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id
    WHERE T2.name = "Redcliff Rovers";

-- Who is the youngest player in the league?
SELECT name FROM player ORDER BY dob DESC LIMIT 1;

-- What is the average player salary of each team? Show team names.
SELECT T2.name, avg(T1.salary) FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id
    GROUP BY T1.team_id;

-- How many goals has each player scored?
SELECT T2.name, count(*) FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id
    GROUP BY T1.player_id;

-- Which matches ended in a draw? Give the date and the number of goals each side scored.
SELECT game_date, home_goals, away_goals FROM game WHERE home_goals = away_goals;

-- List the team names and stadiums, starting with the biggest stadium.
SELECT name, stadium FROM team ORDER BY capacity DESC;

-- Which players have never scored?
SELECT name FROM player WHERE player_id NOT IN (SELECT player_id FROM goal);

-- Which players earn more than the average player?
SELECT name FROM player WHERE salary > (SELECT avg(salary) FROM player);

-- Which nationalities have both a forward and a goalkeeper in the league?
SELECT nationality FROM player WHERE position = "Forward"
    INTERSECT SELECT nationality FROM player WHERE position = "Goalkeeper";

-- Which teams scored more than five goals in their home matches?
SELECT T2.name FROM game AS T1 JOIN team AS T2 ON T1.home_team_id = T2.team_id
    GROUP BY T1.home_team_id HAVING sum(T1.home_goals) > 5;

-- Players of which team scored the most goals?
SELECT T3.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id
    JOIN team AS T3 ON T2.team_id = T3.team_id GROUP BY T3.team_id ORDER BY count(*) DESC LIMIT 1;

-- Which teams never won a home match?
SELECT name FROM team WHERE team_id NOT IN (SELECT home_team_id FROM game WHERE home_goals > away_goals);

-- In which positions is the average salary above 80000?
SELECT position FROM player GROUP BY position HAVING avg(salary) > 80000;

-- List the cities of clubs founded after 1940 or playing in a stadium with fewer than 16000 seats.
SELECT city FROM team WHERE founded_year > 1940 UNION SELECT city FROM team WHERE capacity < 16000;

-- Who scored penalties, and in which minute? Order by the minute.
SELECT T2.name, T1.minute FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id
    WHERE T1.is_penalty = 1 ORDER BY T1.minute;

-- Which team draws the biggest crowds at home on average?
SELECT T2.name FROM game AS T1 JOIN team AS T2 ON T1.home_team_id = T2.team_id
    GROUP BY T1.home_team_id ORDER BY avg(T1.attendance) DESC LIMIT 1;

-- Which players scored in the first 20 minutes of a match but never from a penalty?
SELECT T2.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id WHERE T1.minute <= 20
    EXCEPT SELECT T2.name FROM goal AS T1 JOIN player AS T2 ON T1.player_id = T2.player_id
    WHERE T1.is_penalty = 1;

-- For each team, how many defenders does it have and what do they earn on average? Sort by team name.
SELECT T2.name, count(*), avg(T1.salary) FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id
    WHERE T1.position = "Defender" GROUP BY T1.team_id ORDER BY T2.name;

-- Which players at clubs founded before 1910 earn more than the league average?
SELECT T1.name FROM player AS T1 JOIN team AS T2 ON T1.team_id = T2.team_id WHERE T2.founded_year < 1910
    AND T1.salary > (SELECT avg(salary) FROM player);
