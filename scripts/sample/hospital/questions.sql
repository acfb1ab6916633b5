-- How many doctors work at the hospital?
SELECT count(*) FROM doctor;

-- List the names of the departments on the second floor.
SELECT name FROM department WHERE floor = 2;

-- Which patients have no insurance on record?
SELECT name FROM patient WHERE insurance IS NULL;

-- What is the combined budget of all departments?
SELECT sum(budget) FROM department;

-- How many different medications have been prescribed?
SELECT count(DISTINCT medication) FROM prescription;

-- What was the most expensive appointment?
SELECT max(cost) FROM appointment;

-- Give the names of doctors hired after 2015.
SELECT name FROM doctor WHERE hire_year > 2015;

-- What reasons have patients given for their visits?
SELECT DISTINCT reason FROM appointment;

-- Show the name and salary of every doctor, best paid first.
SELECT name, salary FROM doctor ORDER BY salary DESC;

-- How many patients live in each city?
SELECT city, count(*) FROM patient GROUP BY city;

-- Which department does Sofia Lind work in?
SELECT T2.name FROM doctor AS T1 JOIN department AS T2 ON T1.department_id = T2.department_id
    WHERE T1.name = "Sofia Lind";

-- Who is the youngest patient?
SELECT name FROM patient ORDER BY dob DESC LIMIT 1;

-- What is the average doctor salary for each specialty?
SELECT specialty, avg(salary) FROM doctor GROUP BY specialty;

-- List the doctors who work in the emergency department.
SELECT T1.name FROM doctor AS T1 JOIN department AS T2 ON T1.department_id = T2.department_id
    WHERE T2.name = "Emergency";

-- For each doctor, what is the total cost of their appointments?
SELECT T2.name, sum(T1.cost) FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id
    GROUP BY T1.doctor_id;

-- Give the names and birth dates of female patients from Oakdale.
SELECT name, dob FROM patient WHERE gender = "F" AND city = "Oakdale";

-- Which two departments have the largest budgets?
SELECT name FROM department ORDER BY budget DESC LIMIT 2;

-- Which doctors have not had any appointments?
SELECT name FROM doctor WHERE doctor_id NOT IN (SELECT doctor_id FROM appointment);

-- Which doctors earn more than the average doctor?
SELECT name FROM doctor WHERE salary > (SELECT avg(salary) FROM doctor);

-- In which cities do we have patients insured by CareWell as well as patients insured by HealthFirst?
SELECT city FROM patient WHERE insurance = "CareWell"
    INTERSECT SELECT city FROM patient WHERE insurance = "HealthFirst";

-- Which specialties have more than two doctors?
SELECT specialty FROM doctor GROUP BY specialty HAVING count(*) > 2;

-- What are the names of the patients who were prescribed amoxicillin?
SELECT T3.name FROM prescription AS T1 JOIN appointment AS T2 ON T1.appointment_id = T2.appointment_id
    JOIN patient AS T3 ON T2.patient_id = T3.patient_id WHERE T1.medication = "Amoxicillin";

-- Which departments are on the ground floor or have a budget above 1.2 million?
SELECT name FROM department WHERE floor = 1 UNION SELECT name FROM department WHERE budget > 1200000;

-- Which patients have never seen a doctor here?
SELECT name FROM patient WHERE patient_id NOT IN (SELECT patient_id FROM appointment);

-- Which department's doctors handled the most appointments?
SELECT T3.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id
    JOIN department AS T3 ON T2.department_id = T3.department_id
    GROUP BY T3.department_id ORDER BY count(*) DESC LIMIT 1;

-- Which doctors have seen patients from Riverton but never a patient from Lakeside?
SELECT T2.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id
    JOIN patient AS T3 ON T1.patient_id = T3.patient_id WHERE T3.city = "Riverton"
    EXCEPT SELECT T2.name FROM appointment AS T1 JOIN doctor AS T2 ON T1.doctor_id = T2.doctor_id
    JOIN patient AS T3 ON T1.patient_id = T3.patient_id WHERE T3.city = "Lakeside";

-- For each department with more than two doctors, give its name and the average salary of its doctors.
SELECT T2.name, avg(T1.salary) FROM doctor AS T1 JOIN department AS T2
    ON T1.department_id = T2.department_id GROUP BY T1.department_id HAVING count(*) > 2;

-- Show patient names and costs of appointments that cost more than average, most expensive first.
SELECT T2.name, T1.cost FROM appointment AS T1 JOIN patient AS T2 ON T1.patient_id = T2.patient_id
    WHERE T1.cost > (SELECT avg(cost) FROM appointment) ORDER BY T1.cost DESC;

-- Which medication has been prescribed for the most days in total?
SELECT medication FROM prescription GROUP BY medication ORDER BY sum(days) DESC LIMIT 1;

-- How many appointments were there for patients of each gender?
SELECT T2.gender, count(*) FROM appointment AS T1 JOIN patient AS T2 ON T1.patient_id = T2.patient_id
    GROUP BY T2.gender;
