CREATE TABLE department (
    department_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    floor INTEGER,
    budget REAL
);

CREATE TABLE doctor (
    doctor_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    specialty TEXT,
    department_id INTEGER NOT NULL,
    hire_year INTEGER,
    salary REAL,
    FOREIGN KEY (department_id) REFERENCES department(department_id)
);

CREATE TABLE patient (
    patient_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    gender TEXT,
    dob DATE,
    city TEXT,
    insurance TEXT
);

CREATE TABLE appointment (
    appointment_id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL,
    doctor_id INTEGER NOT NULL,
    appointment_date DATE NOT NULL,
    reason TEXT,
    cost REAL,
    FOREIGN KEY (patient_id) REFERENCES patient(patient_id),
    FOREIGN KEY (doctor_id) REFERENCES doctor(doctor_id)
);

CREATE TABLE prescription (
    prescription_id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL,
    medication TEXT NOT NULL,
    dosage_mg INTEGER,
    days INTEGER,
    FOREIGN KEY (appointment_id) REFERENCES appointment(appointment_id)
);
