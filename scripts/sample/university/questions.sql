-- How many students are there?
SELECT count(*) FROM student;

-- What are the titles of the four-credit courses?
SELECT title FROM course WHERE credits = 4;

-- Which instructors are full professors?
SELECT name FROM instructor WHERE position = "Professor";

-- What is the average GPA of all students?
SELECT avg(gpa) FROM student;

-- Which buildings house departments?
SELECT DISTINCT building FROM department;

-- How many students come from Texas?
SELECT count(*) FROM student WHERE home_state = "Texas";

-- What is the highest salary paid to an instructor?
SELECT max(salary) FROM instructor;

-- Which students do not have a GPA yet?
SELECT name FROM student WHERE gpa IS NULL;

-- List each instructor's name and salary, highest salary first.
SELECT name, salary FROM instructor ORDER BY salary DESC;

-- How many students major in each department? Show the department names.
SELECT T2.name, count(*) FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id
    GROUP BY T1.dept_id;

-- Which student has the highest GPA?
SELECT name FROM student ORDER BY gpa DESC LIMIT 1;

-- Which courses does the Mathematics department offer?
SELECT T1.title FROM course AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id
    WHERE T2.name = "Mathematics";

-- What is the average salary for each academic rank?
SELECT position, avg(salary) FROM instructor GROUP BY position;

-- Give the names and GPAs of students from California who started in 2022.
SELECT name, gpa FROM student WHERE home_state = "California" AND enroll_year = 2022;

-- How many students took each course in fall 2023? Show the course titles.
SELECT T2.title, count(*) FROM enrollment AS T1 JOIN course AS T2 ON T1.course_id = T2.course_id
    WHERE T1.semester = "Fall 2023" GROUP BY T1.course_id;

-- Which three departments have the biggest budgets?
SELECT name FROM department ORDER BY budget DESC LIMIT 3;

-- Who teaches Databases?
SELECT T2.name FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id
    WHERE T1.title = "Databases";

-- Which students are not enrolled in any course?
SELECT name FROM student WHERE student_id NOT IN (SELECT student_id FROM enrollment);

-- Which instructors earn more than the average instructor salary?
SELECT name FROM instructor WHERE salary > (SELECT avg(salary) FROM instructor);

-- Which home states have both Computer Science majors and Biology majors?
SELECT T1.home_state FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id
    WHERE T2.name = "Computer Science" INTERSECT SELECT T1.home_state FROM student AS T1
    JOIN department AS T2 ON T1.dept_id = T2.dept_id WHERE T2.name = "Biology";

-- Which courses have more than five enrollments?
SELECT T2.title FROM enrollment AS T1 JOIN course AS T2 ON T1.course_id = T2.course_id
    GROUP BY T1.course_id HAVING count(*) > 5;

-- Which courses has nobody enrolled in?
SELECT title FROM course WHERE course_id NOT IN (SELECT course_id FROM enrollment);

-- Which states do the students who started in 2020 or in 2024 come from?
SELECT home_state FROM student WHERE enroll_year = 2020
    UNION SELECT home_state FROM student WHERE enroll_year = 2024;

-- Which students have a higher GPA than the average student who enrolled in 2021?
SELECT name FROM student WHERE gpa > (SELECT avg(gpa) FROM student WHERE enroll_year = 2021);

-- Which department has the most instructors?
SELECT T2.name FROM instructor AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id
    GROUP BY T1.dept_id ORDER BY count(*) DESC LIMIT 1;

-- For departments with more than four majors, what is the average GPA of their students? Best departments first.
SELECT T2.name, avg(T1.gpa) FROM student AS T1 JOIN department AS T2 ON T1.dept_id = T2.dept_id
    GROUP BY T1.dept_id HAVING count(*) > 4 ORDER BY avg(T1.gpa) DESC;

-- Which students took a Computer Science course but never a Mathematics course?
SELECT T1.name FROM student AS T1 JOIN enrollment AS T2 ON T1.student_id = T2.student_id
    JOIN course AS T3 ON T2.course_id = T3.course_id JOIN department AS T4 ON T3.dept_id = T4.dept_id
    WHERE T4.name = "Computer Science" EXCEPT SELECT T1.name FROM student AS T1 JOIN enrollment AS T2
    ON T1.student_id = T2.student_id JOIN course AS T3 ON T2.course_id = T3.course_id
    JOIN department AS T4 ON T3.dept_id = T4.dept_id WHERE T4.name = "Mathematics";

-- What are the titles of courses taught by instructors hired before 2010, in alphabetical order?
SELECT T1.title FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id
    WHERE T2.hire_year < 2010 ORDER BY T1.title;

-- How many different students have received an A?
SELECT count(DISTINCT student_id) FROM enrollment WHERE grade = "A";

-- Which instructors teach a four-credit course while earning less than the average instructor?
SELECT DISTINCT T2.name FROM course AS T1 JOIN instructor AS T2 ON T1.instructor_id = T2.instructor_id
    WHERE T1.credits = 4 AND T2.salary < (SELECT avg(salary) FROM instructor);
