--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: applied_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.applied_events (
    event_id character varying(64) NOT NULL,
    applied_at double precision NOT NULL
);


--
-- Name: tracker_cube; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube (
    procedure character varying NOT NULL,
    agency character varying NOT NULL,
    month character varying NOT NULL,
    province character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_agency; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_agency (
    agency character varying NOT NULL,
    month character varying NOT NULL,
    province character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_agency_procedure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_agency_procedure (
    procedure character varying NOT NULL,
    agency character varying NOT NULL,
    month character varying NOT NULL,
    province character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_agency_procedure_year; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_agency_procedure_year (
    procedure character varying NOT NULL,
    agency character varying NOT NULL,
    year character varying NOT NULL,
    province character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_agency_year; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_agency_year (
    agency character varying NOT NULL,
    year character varying NOT NULL,
    province character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_national; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_national (
    month character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_procedure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_procedure (
    procedure character varying NOT NULL,
    month character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_procedure_year; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_procedure_year (
    procedure character varying NOT NULL,
    year character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_province; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_province (
    province character varying NOT NULL,
    month character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_province_procedure; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_province_procedure (
    province character varying NOT NULL,
    procedure character varying NOT NULL,
    month character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_cube_province_procedure_year; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_cube_province_procedure_year (
    province character varying NOT NULL,
    procedure character varying NOT NULL,
    year character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received integer NOT NULL,
    reused integer NOT NULL,
    population integer NOT NULL,
    input_digital integer NOT NULL,
    online integer NOT NULL,
    fee_carried integer NOT NULL,
    paid_online integer NOT NULL,
    non_jurisdictional integer NOT NULL,
    resolved integer NOT NULL,
    output_digital integer NOT NULL,
    on_time integer NOT NULL
);


--
-- Name: tracker_dossier; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_dossier (
    dossier_id character varying NOT NULL,
    received boolean NOT NULL,
    agency character varying NOT NULL,
    procedure character varying NOT NULL,
    province character varying NOT NULL,
    channel character varying NOT NULL,
    jurisdiction character varying NOT NULL,
    received_at bigint,
    due_at bigint,
    fee bigint NOT NULL,
    paid_online boolean NOT NULL,
    any_reused boolean NOT NULL,
    all_digital boolean NOT NULL,
    population_used boolean NOT NULL,
    resolved_at bigint,
    result_electronic boolean NOT NULL,
    first_lookup_at bigint,
    lookup_agency character varying NOT NULL
);


--
-- Name: tracker_lookup; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tracker_lookup (
    event_id character varying NOT NULL,
    dossier_id character varying NOT NULL,
    agency character varying NOT NULL,
    source integer NOT NULL,
    outcome integer NOT NULL,
    occurred_at bigint NOT NULL
);


--
-- Data for Name: applied_events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.applied_events VALUES ('f5cbd7d1-6705-463e-92e1-d6e4a9e0337d', 1741600000);
INSERT INTO public.applied_events VALUES ('4fac6876-428c-4ab6-8cae-c9e17aff49c0', 1741600000);
INSERT INTO public.applied_events VALUES ('710a547b-e98b-4f26-ba40-4185240382d6', 1741600000);
INSERT INTO public.applied_events VALUES ('57a54c37-a8cb-44b2-8bc4-b0a92003c2e1', 1741600000);
INSERT INTO public.applied_events VALUES ('f8a94e94-fb0a-4f5a-a735-d1d500a51f59', 1741600000);
INSERT INTO public.applied_events VALUES ('f4267603-804b-4f84-b85b-0d1ac6a09a54', 1741600000);
INSERT INTO public.applied_events VALUES ('2c930315-618b-46c2-af36-f399607a096e', 1741600000);
INSERT INTO public.applied_events VALUES ('08599bf7-253c-4923-a423-8df8114e23e8', 1741600000);
INSERT INTO public.applied_events VALUES ('2bc84ca1-7db0-4520-a48d-81aa26378abf', 1741600000);
INSERT INTO public.applied_events VALUES ('de668f6f-59b1-42fc-8853-ad7f0361a6cf', 1741600000);
INSERT INTO public.applied_events VALUES ('37b4f037-ea33-4cd5-bdfd-6392c96bf02d', 1741600000);
INSERT INTO public.applied_events VALUES ('31f19ddb-b416-4634-ba07-88b3ae5eae16', 1741600000);
INSERT INTO public.applied_events VALUES ('afef9d95-e411-4ff7-8639-e9af9af65312', 1741600000);
INSERT INTO public.applied_events VALUES ('2b8798b4-b20d-4492-b948-e9c9f02f29d0', 1741600000);
INSERT INTO public.applied_events VALUES ('1a6c8994-b047-4842-913c-8bff437d78d2', 1741600000);
INSERT INTO public.applied_events VALUES ('adecd728-101f-4578-8d14-88a255c21c7a', 1741600000);
INSERT INTO public.applied_events VALUES ('c78a4eeb-cbb5-49ac-94b8-f085d29407e3', 1741600000);
INSERT INTO public.applied_events VALUES ('878d4e28-b308-4e8f-a673-f67f170c2951', 1741600000);
INSERT INTO public.applied_events VALUES ('3f52fe2e-284f-4396-b588-4b58c30d036a', 1741600000);
INSERT INTO public.applied_events VALUES ('9816ab09-ab27-494e-9838-838c67959f79', 1741600000);
INSERT INTO public.applied_events VALUES ('7b743fef-d912-46be-a389-d8799e395721', 1741600000);
INSERT INTO public.applied_events VALUES ('1229dfa9-8be2-44a4-a877-b84f37da5506', 1741600000);
INSERT INTO public.applied_events VALUES ('73914d58-87ae-4ab5-9e8e-1477ae9575b0', 1741600000);
INSERT INTO public.applied_events VALUES ('ea938a01-6bd1-437c-827c-f59bf3049e01', 1741600000);


--
-- Data for Name: tracker_cube; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube VALUES ('2.002', 'SOTP-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'online', 'local', 3, 2, 2, 3, 3, 2, 1, 0, 3, 3, 3);
INSERT INTO public.tracker_cube VALUES ('2.002', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'counter', 'non_jurisdictional', 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
INSERT INTO public.tracker_cube VALUES ('1.001', 'SOTP-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'online', 'local', 3, 2, 3, 3, 3, 3, 2, 0, 3, 3, 3);
INSERT INTO public.tracker_cube VALUES ('1.001', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'online', 'local', 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0);
INSERT INTO public.tracker_cube VALUES ('1.001', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
INSERT INTO public.tracker_cube VALUES ('2.002', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);


--
-- Data for Name: tracker_cube_agency; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_agency VALUES ('CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 4, 0, 0, 1, 1, 0, 0, 1, 2, 1, 0);
INSERT INTO public.tracker_cube_agency VALUES ('SOTP-BD', '2025-03', 'Thành phố Hồ Chí Minh', 6, 4, 5, 6, 6, 5, 3, 0, 6, 6, 6);


--
-- Data for Name: tracker_cube_agency_procedure; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_agency_procedure VALUES ('1.001', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 2, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0);
INSERT INTO public.tracker_cube_agency_procedure VALUES ('2.002', 'CA-BD', '2025-03', 'Thành phố Hồ Chí Minh', 2, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0);
INSERT INTO public.tracker_cube_agency_procedure VALUES ('1.001', 'SOTP-BD', '2025-03', 'Thành phố Hồ Chí Minh', 3, 2, 3, 3, 3, 3, 2, 0, 3, 3, 3);
INSERT INTO public.tracker_cube_agency_procedure VALUES ('2.002', 'SOTP-BD', '2025-03', 'Thành phố Hồ Chí Minh', 3, 2, 2, 3, 3, 2, 1, 0, 3, 3, 3);


--
-- Data for Name: tracker_cube_agency_procedure_year; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_agency_procedure_year VALUES ('1.001', 'CA-BD', '2025', 'Thành phố Hồ Chí Minh', 2, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0);
INSERT INTO public.tracker_cube_agency_procedure_year VALUES ('1.001', 'SOTP-BD', '2025', 'Thành phố Hồ Chí Minh', 3, 2, 3, 3, 3, 3, 2, 0, 3, 3, 3);
INSERT INTO public.tracker_cube_agency_procedure_year VALUES ('2.002', 'CA-BD', '2025', 'Thành phố Hồ Chí Minh', 2, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0);
INSERT INTO public.tracker_cube_agency_procedure_year VALUES ('2.002', 'SOTP-BD', '2025', 'Thành phố Hồ Chí Minh', 3, 2, 2, 3, 3, 2, 1, 0, 3, 3, 3);


--
-- Data for Name: tracker_cube_agency_year; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_agency_year VALUES ('CA-BD', '2025', 'Thành phố Hồ Chí Minh', 4, 0, 0, 1, 1, 0, 0, 1, 2, 1, 0);
INSERT INTO public.tracker_cube_agency_year VALUES ('SOTP-BD', '2025', 'Thành phố Hồ Chí Minh', 6, 4, 5, 6, 6, 5, 3, 0, 6, 6, 6);


--
-- Data for Name: tracker_cube_national; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_national VALUES ('2025-03', 'counter', 'non_jurisdictional', 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
INSERT INTO public.tracker_cube_national VALUES ('2025-03', 'online', 'local', 7, 4, 5, 7, 7, 5, 3, 0, 7, 7, 6);
INSERT INTO public.tracker_cube_national VALUES ('2025-03', 'counter', 'local', 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);


--
-- Data for Name: tracker_cube_procedure; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_procedure VALUES ('2.002', '2025-03', 5, 2, 2, 3, 3, 2, 1, 1, 4, 3, 3);
INSERT INTO public.tracker_cube_procedure VALUES ('1.001', '2025-03', 5, 2, 3, 4, 4, 3, 2, 0, 4, 4, 3);


--
-- Data for Name: tracker_cube_procedure_year; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_procedure_year VALUES ('2.002', '2025', 5, 2, 2, 3, 3, 2, 1, 1, 4, 3, 3);
INSERT INTO public.tracker_cube_procedure_year VALUES ('1.001', '2025', 5, 2, 3, 4, 4, 3, 2, 0, 4, 4, 3);


--
-- Data for Name: tracker_cube_province; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_province VALUES ('Thành phố Hồ Chí Minh', '2025-03', 'counter', 'non_jurisdictional', 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
INSERT INTO public.tracker_cube_province VALUES ('Thành phố Hồ Chí Minh', '2025-03', 'online', 'local', 7, 4, 5, 7, 7, 5, 3, 0, 7, 7, 6);
INSERT INTO public.tracker_cube_province VALUES ('Thành phố Hồ Chí Minh', '2025-03', 'counter', 'local', 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);


--
-- Data for Name: tracker_cube_province_procedure; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_province_procedure VALUES ('Thành phố Hồ Chí Minh', '1.001', '2025-03', 'online', 'local', 4, 2, 3, 4, 4, 3, 2, 0, 4, 4, 3);
INSERT INTO public.tracker_cube_province_procedure VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025-03', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);
INSERT INTO public.tracker_cube_province_procedure VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025-03', 'online', 'local', 3, 2, 2, 3, 3, 2, 1, 0, 3, 3, 3);
INSERT INTO public.tracker_cube_province_procedure VALUES ('Thành phố Hồ Chí Minh', '1.001', '2025-03', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
INSERT INTO public.tracker_cube_province_procedure VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025-03', 'counter', 'non_jurisdictional', 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);


--
-- Data for Name: tracker_cube_province_procedure_year; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_cube_province_procedure_year VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0);
INSERT INTO public.tracker_cube_province_procedure_year VALUES ('Thành phố Hồ Chí Minh', '1.001', '2025', 'online', 'local', 4, 2, 3, 4, 4, 3, 2, 0, 4, 4, 3);
INSERT INTO public.tracker_cube_province_procedure_year VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025', 'counter', 'non_jurisdictional', 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
INSERT INTO public.tracker_cube_province_procedure_year VALUES ('Thành phố Hồ Chí Minh', '2.002', '2025', 'online', 'local', 3, 2, 2, 3, 3, 2, 1, 0, 3, 3, 3);
INSERT INTO public.tracker_cube_province_procedure_year VALUES ('Thành phố Hồ Chí Minh', '1.001', '2025', 'counter', 'local', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);


--
-- Data for Name: tracker_dossier; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_dossier VALUES ('mix-0', true, 'SOTP-BD', '1.001', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 20000, true, true, true, true, 1742007600000000, true, 1741136400000000, 'SOTP-BD');
INSERT INTO public.tracker_dossier VALUES ('mix-1', true, 'SOTP-BD', '2.002', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 20000, true, true, true, true, 1742007600000000, true, 1741571700000000, 'SOTP-BD');
INSERT INTO public.tracker_dossier VALUES ('mix-2', true, 'SOTP-BD', '1.001', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 20000, true, true, true, true, 1742007600000000, true, 1741571700000000, 'SOTP-BD');
INSERT INTO public.tracker_dossier VALUES ('mix-3', true, 'SOTP-BD', '2.002', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 20000, false, true, true, true, 1742007600000000, true, 1741571700000000, 'SOTP-BD');
INSERT INTO public.tracker_dossier VALUES ('mix-4', true, 'SOTP-BD', '1.001', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 20000, false, false, true, true, 1742007600000000, true, 1741571700000000, 'SOTP-BD');
INSERT INTO public.tracker_dossier VALUES ('mix-5', true, 'SOTP-BD', '2.002', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 0, false, false, true, false, 1742007600000000, true, NULL, '');
INSERT INTO public.tracker_dossier VALUES ('mix-6', true, 'CA-BD', '1.001', 'Thành phố Hồ Chí Minh', 'online', 'local', 1741572000000000, 1742464800000000, 0, false, false, true, false, 1742871600000000, true, NULL, '');
INSERT INTO public.tracker_dossier VALUES ('mix-7', true, 'CA-BD', '2.002', 'Thành phố Hồ Chí Minh', 'counter', 'local', 1741572000000000, 1742464800000000, 0, false, false, false, false, 1742871600000000, false, NULL, '');
INSERT INTO public.tracker_dossier VALUES ('mix-8', true, 'CA-BD', '1.001', 'Thành phố Hồ Chí Minh', 'counter', 'local', 1741572000000000, 1742464800000000, 0, false, false, false, false, NULL, false, NULL, '');
INSERT INTO public.tracker_dossier VALUES ('mix-9', true, 'CA-BD', '2.002', 'Thành phố Hồ Chí Minh', 'counter', 'non_jurisdictional', 1741572000000000, 1742464800000000, 0, false, false, false, false, NULL, false, NULL, '');
INSERT INTO public.tracker_dossier VALUES ('ghost-1', false, '', '', '', '', '', NULL, NULL, 0, false, false, false, true, NULL, false, 1740790800000000, 'UBND-X');


--
-- Data for Name: tracker_lookup; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tracker_lookup VALUES ('f5cbd7d1-6705-463e-92e1-d6e4a9e0337d', 'mix-0', 'SOTP-BD', 1, 1, 1741136400000000);
INSERT INTO public.tracker_lookup VALUES ('57a54c37-a8cb-44b2-8bc4-b0a92003c2e1', 'mix-1', 'SOTP-BD', 1, 1, 1741571700000000);
INSERT INTO public.tracker_lookup VALUES ('2c930315-618b-46c2-af36-f399607a096e', 'mix-2', 'SOTP-BD', 1, 1, 1741571700000000);
INSERT INTO public.tracker_lookup VALUES ('de668f6f-59b1-42fc-8853-ad7f0361a6cf', 'mix-3', 'SOTP-BD', 1, 1, 1741571700000000);
INSERT INTO public.tracker_lookup VALUES ('afef9d95-e411-4ff7-8639-e9af9af65312', 'mix-4', 'SOTP-BD', 1, 1, 1741571700000000);
INSERT INTO public.tracker_lookup VALUES ('ea938a01-6bd1-437c-827c-f59bf3049e01', 'ghost-1', 'UBND-X', 1, 1, 1740790800000000);


--
-- Name: applied_events applied_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.applied_events
    ADD CONSTRAINT applied_events_pkey PRIMARY KEY (event_id);


--
-- Name: tracker_cube_agency tracker_cube_agency_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_agency
    ADD CONSTRAINT tracker_cube_agency_pkey PRIMARY KEY (agency, month, province);


--
-- Name: tracker_cube_agency_procedure tracker_cube_agency_procedure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_agency_procedure
    ADD CONSTRAINT tracker_cube_agency_procedure_pkey PRIMARY KEY (procedure, agency, month, province);


--
-- Name: tracker_cube_agency_procedure_year tracker_cube_agency_procedure_year_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_agency_procedure_year
    ADD CONSTRAINT tracker_cube_agency_procedure_year_pkey PRIMARY KEY (procedure, agency, year, province);


--
-- Name: tracker_cube_agency_year tracker_cube_agency_year_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_agency_year
    ADD CONSTRAINT tracker_cube_agency_year_pkey PRIMARY KEY (agency, year, province);


--
-- Name: tracker_cube_national tracker_cube_national_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_national
    ADD CONSTRAINT tracker_cube_national_pkey PRIMARY KEY (month, channel, jurisdiction);


--
-- Name: tracker_cube tracker_cube_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube
    ADD CONSTRAINT tracker_cube_pkey PRIMARY KEY (procedure, agency, month, province, channel, jurisdiction);


--
-- Name: tracker_cube_procedure tracker_cube_procedure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_procedure
    ADD CONSTRAINT tracker_cube_procedure_pkey PRIMARY KEY (procedure, month);


--
-- Name: tracker_cube_procedure_year tracker_cube_procedure_year_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_procedure_year
    ADD CONSTRAINT tracker_cube_procedure_year_pkey PRIMARY KEY (procedure, year);


--
-- Name: tracker_cube_province tracker_cube_province_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_province
    ADD CONSTRAINT tracker_cube_province_pkey PRIMARY KEY (province, month, channel, jurisdiction);


--
-- Name: tracker_cube_province_procedure tracker_cube_province_procedure_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_province_procedure
    ADD CONSTRAINT tracker_cube_province_procedure_pkey PRIMARY KEY (province, procedure, month, channel, jurisdiction);


--
-- Name: tracker_cube_province_procedure_year tracker_cube_province_procedure_year_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_cube_province_procedure_year
    ADD CONSTRAINT tracker_cube_province_procedure_year_pkey PRIMARY KEY (province, procedure, year, channel, jurisdiction);


--
-- Name: tracker_dossier tracker_dossier_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_dossier
    ADD CONSTRAINT tracker_dossier_pkey PRIMARY KEY (dossier_id);


--
-- Name: tracker_lookup tracker_lookup_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tracker_lookup
    ADD CONSTRAINT tracker_lookup_pkey PRIMARY KEY (event_id);


--
-- Name: ix_tracker_cube_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_0 ON public.tracker_cube USING btree (agency, month);


--
-- Name: ix_tracker_cube_agency_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_agency_0 ON public.tracker_cube_agency USING btree (province, month);


--
-- Name: ix_tracker_cube_agency_procedure_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_agency_procedure_0 ON public.tracker_cube_agency_procedure USING btree (agency, month);


--
-- Name: ix_tracker_cube_agency_procedure_year_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_agency_procedure_year_0 ON public.tracker_cube_agency_procedure_year USING btree (agency, year);


--
-- Name: ix_tracker_cube_province_procedure_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_province_procedure_0 ON public.tracker_cube_province_procedure USING btree (procedure, month);


--
-- Name: ix_tracker_cube_province_procedure_year_0; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_cube_province_procedure_year_0 ON public.tracker_cube_province_procedure_year USING btree (procedure, year);


--
-- Name: ix_tracker_dossier_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_dossier_pending ON public.tracker_dossier USING btree (received, first_lookup_at, dossier_id);


--
-- Name: ix_tracker_lookup_dossier; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tracker_lookup_dossier ON public.tracker_lookup USING btree (dossier_id, occurred_at, agency, source);


--
-- PostgreSQL database dump complete
--


