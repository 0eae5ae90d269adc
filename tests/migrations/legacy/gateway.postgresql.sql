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
-- Name: agency; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agency (
    code character varying(64) NOT NULL,
    name character varying NOT NULL,
    province character varying NOT NULL,
    scopes character varying NOT NULL,
    key_id character varying(32) NOT NULL,
    key_sha256 character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone
);


--
-- Name: agency_registry_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agency_registry_version (
    id integer NOT NULL,
    version integer NOT NULL
);


--
-- Name: agency_registry_version_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.agency_registry_version_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: agency_registry_version_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.agency_registry_version_id_seq OWNED BY public.agency_registry_version.id;


--
-- Name: audit_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_head (
    id integer NOT NULL,
    seq integer NOT NULL,
    last_hash character varying(64) NOT NULL
);


--
-- Name: audit_head_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_head_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_head_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_head_id_seq OWNED BY public.audit_head.id;


--
-- Name: audit_record; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_record (
    seq integer NOT NULL,
    recorded_at character varying NOT NULL,
    request_id character varying NOT NULL,
    agency_code character varying NOT NULL,
    action character varying NOT NULL,
    procedure_code character varying NOT NULL,
    dossier_id character varying NOT NULL,
    officer_id character varying NOT NULL,
    subject_pseudonym character varying NOT NULL,
    source character varying NOT NULL,
    result_id character varying NOT NULL,
    fields text NOT NULL,
    outcome character varying NOT NULL,
    prev_hash character varying(64) NOT NULL,
    hash character varying(64) NOT NULL
);


--
-- Name: audit_record_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_record_seq_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_record_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_record_seq_seq OWNED BY public.audit_record.seq;


--
-- Name: dossier; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossier (
    dossier_id character varying(64) NOT NULL,
    agency_code character varying NOT NULL,
    procedure_code character varying NOT NULL,
    applicant_pseudonym character varying NOT NULL,
    request_sha256 character varying(64) NOT NULL,
    receipt_json text NOT NULL,
    received_at timestamp with time zone NOT NULL
);


--
-- Name: dossier_resolution; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dossier_resolution (
    dossier_id character varying(64) NOT NULL,
    request_sha256 character varying(64) NOT NULL,
    resolution_json text NOT NULL
);


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id bigint NOT NULL,
    event_id character varying(64) NOT NULL,
    topic character varying(249) NOT NULL,
    key bytea NOT NULL,
    value bytea NOT NULL,
    created_at double precision NOT NULL,
    sent_at double precision
);


--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_id_seq OWNED BY public.outbox.id;


--
-- Name: outbox_relay_lease; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox_relay_lease (
    name character varying(64) NOT NULL,
    holder character varying(200) NOT NULL,
    expires_at double precision NOT NULL
);


--
-- Name: agency_registry_version id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agency_registry_version ALTER COLUMN id SET DEFAULT nextval('public.agency_registry_version_id_seq'::regclass);


--
-- Name: audit_head id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_head ALTER COLUMN id SET DEFAULT nextval('public.audit_head_id_seq'::regclass);


--
-- Name: audit_record seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_record ALTER COLUMN seq SET DEFAULT nextval('public.audit_record_seq_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Data for Name: agency; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agency VALUES ('UBND-THUDAUMOT', 'UBND Thủ Dầu Một', 'Hồ Chí Minh', 'audit:read dossiers:write population:read results:read', 'd98b939663a3f180', 'fd6d2f404190e3187a143ad209435e68e8cf435339ee4c5e728db132217188aa', '2026-12-01 08:03:59.476434+00', NULL);
INSERT INTO public.agency VALUES ('SOTP-BD', 'Sở Tư pháp Bình Dương', 'Hồ Chí Minh', 'audit:read dossiers:write population:read results:read', 'bc45dd8ac14b5d6c', 'fcfd76b335ed8c243e2f822c07b35dba1a99fd118e55580a22d84d4bcd646abc', '2026-12-01 08:03:59.488661+00', NULL);
INSERT INTO public.agency VALUES ('CA-HN', 'Công an Hà Nội', 'Hà Nội', 'population:read', '7d8b44c2a7a35947', '8b8d8da9fba36ab800ad4fe92b53dc033a7f157f0a618f686e3b753da187ee07', '2026-12-01 08:03:59.492869+00', '2026-12-01 08:03:59.50573+00');


--
-- Data for Name: agency_registry_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.agency_registry_version VALUES (1, 4);


--
-- Data for Name: audit_head; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_head VALUES (1, 60, 'f254f4ecde84b79fbc00f0c54a9d4f9746ac6b70d0a9dc6ed3bb9ce9dda3ab50');


--
-- Data for Name: audit_record; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_record VALUES (1, '2025-03-10T02:00:00.000000+00:00', 'req-0000', 'SOTP-BD', 'dossier.receive', '1.004873', 'BD-2025-000000', 'officer-0', 'ps-000', 'population', '', '[]', 'miss', '0000000000000000000000000000000000000000000000000000000000000000', 'fef7da03d218a97e530be1ffce20304ca364cb38a02743300638716da5341c72');
INSERT INTO public.audit_record VALUES (2, '2025-03-10T02:00:01.000000+00:00', 'req-0001', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000000', 'officer-1', 'ps-001', 'population', '', '["full_name","date_of_birth"]', 'ok', 'fef7da03d218a97e530be1ffce20304ca364cb38a02743300638716da5341c72', '09b4f55007ba258137094bc1633a9fc3462ecf2374aee56236b74daea13eb46b');
INSERT INTO public.audit_record VALUES (3, '2025-03-10T02:00:02.000000+00:00', 'req-0002', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000001', 'officer-2', 'ps-002', 'population', '', '[]', 'ok', '09b4f55007ba258137094bc1633a9fc3462ecf2374aee56236b74daea13eb46b', '88c32325dccd42d3ef1def0e977f45dfd037863927cfa986ad4c7d8119043492');
INSERT INTO public.audit_record VALUES (4, '2025-03-10T02:00:03.000000+00:00', 'req-0003', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000001', 'officer-3', 'ps-003', 'population', '', '["full_name","date_of_birth"]', 'ok', '88c32325dccd42d3ef1def0e977f45dfd037863927cfa986ad4c7d8119043492', 'f924ce8143ae6252460ff11bbfe68e95295f95246db5ddc239cb497de4e71f17');
INSERT INTO public.audit_record VALUES (5, '2025-03-10T02:00:04.000000+00:00', 'req-0004', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000002', 'officer-4', 'ps-004', 'population', '', '[]', 'ok', 'f924ce8143ae6252460ff11bbfe68e95295f95246db5ddc239cb497de4e71f17', 'b32f57e73d7b462ac30f94bda3ebe6b09669a1079fe2154a313a3bb42f8587c7');
INSERT INTO public.audit_record VALUES (6, '2025-03-10T02:00:05.000000+00:00', 'req-0005', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000002', 'officer-0', 'ps-005', 'population', '', '["full_name","date_of_birth"]', 'ok', 'b32f57e73d7b462ac30f94bda3ebe6b09669a1079fe2154a313a3bb42f8587c7', '24657142759f2f90805c22889b6a899ce797b7bb3a3392766baae7adf96913f5');
INSERT INTO public.audit_record VALUES (7, '2025-03-10T02:00:06.000000+00:00', 'req-0006', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000003', 'officer-1', 'ps-006', 'population', '', '[]', 'ok', '24657142759f2f90805c22889b6a899ce797b7bb3a3392766baae7adf96913f5', '66bdf5de1c0c278e370219a868b84c5fb1a517676c8080d374e190ea9a1b25d1');
INSERT INTO public.audit_record VALUES (8, '2025-03-10T02:00:07.000000+00:00', 'req-0007', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000003', 'officer-2', 'ps-007', 'population', '', '["full_name","date_of_birth"]', 'miss', '66bdf5de1c0c278e370219a868b84c5fb1a517676c8080d374e190ea9a1b25d1', 'a1929bcb33fd78772db337e2a52d413b76e2155b2e2d67150f26367cf526b812');
INSERT INTO public.audit_record VALUES (9, '2025-03-10T02:00:08.000000+00:00', 'req-0008', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000004', 'officer-3', 'ps-008', 'population', '', '[]', 'ok', 'a1929bcb33fd78772db337e2a52d413b76e2155b2e2d67150f26367cf526b812', '571fd4f4932386841f527eb7df36fc750347449e3f1fbde96dd2fb39a3fa6966');
INSERT INTO public.audit_record VALUES (10, '2025-03-10T02:00:09.000000+00:00', 'req-0009', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000004', 'officer-4', 'ps-009', 'population', '', '["full_name","date_of_birth"]', 'ok', '571fd4f4932386841f527eb7df36fc750347449e3f1fbde96dd2fb39a3fa6966', '8a8aa5fe0019bbf439566ff4e35ad8f4721021d16d9294285968b5f753f1b845');
INSERT INTO public.audit_record VALUES (11, '2025-03-10T02:00:10.000000+00:00', 'req-0010', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000005', 'officer-0', 'ps-010', 'population', '', '[]', 'ok', '8a8aa5fe0019bbf439566ff4e35ad8f4721021d16d9294285968b5f753f1b845', '8038bed579cf29d6e2ffa041d874c0c8d0d0db6248fc4334a835968260019b6b');
INSERT INTO public.audit_record VALUES (12, '2025-03-10T02:00:11.000000+00:00', 'req-0011', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000005', 'officer-1', 'ps-000', 'population', '', '["full_name","date_of_birth"]', 'ok', '8038bed579cf29d6e2ffa041d874c0c8d0d0db6248fc4334a835968260019b6b', 'cb099aa8873e20cf481a84a14c0a7af6b018b54088359d30b887c528a8313f58');
INSERT INTO public.audit_record VALUES (13, '2025-03-10T02:00:12.000000+00:00', 'req-0012', 'SOTP-BD', 'dossier.receive', '1.004873', 'BD-2025-000006', 'officer-2', 'ps-001', 'population', '', '[]', 'ok', 'cb099aa8873e20cf481a84a14c0a7af6b018b54088359d30b887c528a8313f58', 'dcdfe9f5bb7c29c6d4ba358395169b2cead1071cd600a3cc43c1ba1308655424');
INSERT INTO public.audit_record VALUES (14, '2025-03-10T02:00:13.000000+00:00', 'req-0013', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000006', 'officer-3', 'ps-002', 'population', '', '["full_name","date_of_birth"]', 'ok', 'dcdfe9f5bb7c29c6d4ba358395169b2cead1071cd600a3cc43c1ba1308655424', '1bfcf8932a8a3da775cffed259997c3fae225f9229af7d4228b0a117d793a990');
INSERT INTO public.audit_record VALUES (15, '2025-03-10T02:00:14.000000+00:00', 'req-0014', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000007', 'officer-4', 'ps-003', 'population', '', '[]', 'miss', '1bfcf8932a8a3da775cffed259997c3fae225f9229af7d4228b0a117d793a990', '9c68b17a63181a7d9b16dec19d6ffe6581282b7d744eb5ca9a466cc10e535574');
INSERT INTO public.audit_record VALUES (16, '2025-03-10T02:00:15.000000+00:00', 'req-0015', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000007', 'officer-0', 'ps-004', 'population', '', '["full_name","date_of_birth"]', 'ok', '9c68b17a63181a7d9b16dec19d6ffe6581282b7d744eb5ca9a466cc10e535574', '95e12e5e49866301730497ca7d386a99f29e55755d07bda6d559e1d0b3730b53');
INSERT INTO public.audit_record VALUES (17, '2025-03-10T02:00:16.000000+00:00', 'req-0016', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000008', 'officer-1', 'ps-005', 'population', '', '[]', 'ok', '95e12e5e49866301730497ca7d386a99f29e55755d07bda6d559e1d0b3730b53', '40244bde3d2a2864d1c7bcbb6646040f8e95ba1e6a5776b26434bf4c08adf034');
INSERT INTO public.audit_record VALUES (18, '2025-03-10T02:00:17.000000+00:00', 'req-0017', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000008', 'officer-2', 'ps-006', 'population', '', '["full_name","date_of_birth"]', 'ok', '40244bde3d2a2864d1c7bcbb6646040f8e95ba1e6a5776b26434bf4c08adf034', 'ced65b9c3de5f2fb7d08308349bcf2339042be74f9225bf0df801cce4332a5c3');
INSERT INTO public.audit_record VALUES (19, '2025-03-10T02:00:18.000000+00:00', 'req-0018', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000009', 'officer-3', 'ps-007', 'population', '', '[]', 'ok', 'ced65b9c3de5f2fb7d08308349bcf2339042be74f9225bf0df801cce4332a5c3', '4bf8581bdfe2b68a18db7c2f4bd2ebc732cf11f2b9b1bf00511daaba92e2aa6d');
INSERT INTO public.audit_record VALUES (20, '2025-03-10T02:00:19.000000+00:00', 'req-0019', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000009', 'officer-4', 'ps-008', 'population', '', '["full_name","date_of_birth"]', 'ok', '4bf8581bdfe2b68a18db7c2f4bd2ebc732cf11f2b9b1bf00511daaba92e2aa6d', 'dc617e276df1576c9a4c9a08e5ecc425bf2bfb46b70c6fdaea7a5919f69daa15');
INSERT INTO public.audit_record VALUES (21, '2025-03-10T02:00:20.000000+00:00', 'req-0020', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000010', 'officer-0', 'ps-009', 'population', '', '[]', 'ok', 'dc617e276df1576c9a4c9a08e5ecc425bf2bfb46b70c6fdaea7a5919f69daa15', '297519083f075603a8048cf5da5e3f0409e224f6f393c6118de3e9cc60c5aafa');
INSERT INTO public.audit_record VALUES (22, '2025-03-10T02:00:21.000000+00:00', 'req-0021', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000010', 'officer-1', 'ps-010', 'population', '', '["full_name","date_of_birth"]', 'miss', '297519083f075603a8048cf5da5e3f0409e224f6f393c6118de3e9cc60c5aafa', '6f0590eebc1357bd6fdcac84acc0d23fedfb93fd6b17b7338c6888291cc66564');
INSERT INTO public.audit_record VALUES (23, '2025-03-10T02:00:22.000000+00:00', 'req-0022', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000011', 'officer-2', 'ps-000', 'population', '', '[]', 'ok', '6f0590eebc1357bd6fdcac84acc0d23fedfb93fd6b17b7338c6888291cc66564', '3515bb2eb2dc40b57ffc4d6120c3f79c53f73e2abe5e90a4818193f2b12f030c');
INSERT INTO public.audit_record VALUES (24, '2025-03-10T02:00:23.000000+00:00', 'req-0023', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000011', 'officer-3', 'ps-001', 'population', '', '["full_name","date_of_birth"]', 'ok', '3515bb2eb2dc40b57ffc4d6120c3f79c53f73e2abe5e90a4818193f2b12f030c', '9e5e6c14bb0fa95b14252f83c6bac7bc6ebd803ce3e6c364560e573299b39835');
INSERT INTO public.audit_record VALUES (25, '2025-03-10T02:00:24.000000+00:00', 'req-0024', 'SOTP-BD', 'dossier.receive', '1.004873', 'BD-2025-000012', 'officer-4', 'ps-002', 'population', '', '[]', 'ok', '9e5e6c14bb0fa95b14252f83c6bac7bc6ebd803ce3e6c364560e573299b39835', '63d5d9469c5ec2129aa1f1ec9939588aa68282d673f815f8a50c369a768ddd15');
INSERT INTO public.audit_record VALUES (26, '2025-03-10T02:00:25.000000+00:00', 'req-0025', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000012', 'officer-0', 'ps-003', 'population', '', '["full_name","date_of_birth"]', 'ok', '63d5d9469c5ec2129aa1f1ec9939588aa68282d673f815f8a50c369a768ddd15', '68fb223b8e9db1b10e1fd8539990102bf89f1a73be2713a38e87a958a3bd4af5');
INSERT INTO public.audit_record VALUES (27, '2025-03-10T02:00:26.000000+00:00', 'req-0026', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000013', 'officer-1', 'ps-004', 'population', '', '[]', 'ok', '68fb223b8e9db1b10e1fd8539990102bf89f1a73be2713a38e87a958a3bd4af5', 'ee1c19e1aa6d0826885d7c01e9e02b2f7831a504a00ee397e5dfd7a6457767ad');
INSERT INTO public.audit_record VALUES (28, '2025-03-10T02:00:27.000000+00:00', 'req-0027', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000013', 'officer-2', 'ps-005', 'population', '', '["full_name","date_of_birth"]', 'ok', 'ee1c19e1aa6d0826885d7c01e9e02b2f7831a504a00ee397e5dfd7a6457767ad', 'c3fb2cad58be54cdca5ca96acdcaa25e3890de4ff70d2e15f2b1dbcd8c53dae8');
INSERT INTO public.audit_record VALUES (29, '2025-03-10T02:00:28.000000+00:00', 'req-0028', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000014', 'officer-3', 'ps-006', 'population', '', '[]', 'miss', 'c3fb2cad58be54cdca5ca96acdcaa25e3890de4ff70d2e15f2b1dbcd8c53dae8', '4a295f065a48d3a18ba2f79cd329132a9eb23d5513e834622f8f34d0706b1620');
INSERT INTO public.audit_record VALUES (30, '2025-03-10T02:00:29.000000+00:00', 'req-0029', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000014', 'officer-4', 'ps-007', 'population', '', '["full_name","date_of_birth"]', 'ok', '4a295f065a48d3a18ba2f79cd329132a9eb23d5513e834622f8f34d0706b1620', '1985d13fc8c8af11c034bb3147f5d6bbf742904ddff3f9c8bc35b92a8ef6acfa');
INSERT INTO public.audit_record VALUES (31, '2025-03-10T02:00:30.000000+00:00', 'req-0030', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000015', 'officer-0', 'ps-008', 'population', '', '[]', 'ok', '1985d13fc8c8af11c034bb3147f5d6bbf742904ddff3f9c8bc35b92a8ef6acfa', '9eb162609d44d839669483860abda25e4122e5bc8b223a0f4906272ae1d20807');
INSERT INTO public.audit_record VALUES (32, '2025-03-10T02:00:31.000000+00:00', 'req-0031', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000015', 'officer-1', 'ps-009', 'population', '', '["full_name","date_of_birth"]', 'ok', '9eb162609d44d839669483860abda25e4122e5bc8b223a0f4906272ae1d20807', 'be0869b5b58984bbc17d8c6a62b1b41ba0db748708cae5176aef787d3f1dcd91');
INSERT INTO public.audit_record VALUES (33, '2025-03-10T02:00:32.000000+00:00', 'req-0032', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000016', 'officer-2', 'ps-010', 'population', '', '[]', 'ok', 'be0869b5b58984bbc17d8c6a62b1b41ba0db748708cae5176aef787d3f1dcd91', '15b98e2ecc099c65e1a44870076dc48976dc22231e088bece3d765bc20119759');
INSERT INTO public.audit_record VALUES (34, '2025-03-10T02:00:33.000000+00:00', 'req-0033', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000016', 'officer-3', 'ps-000', 'population', '', '["full_name","date_of_birth"]', 'ok', '15b98e2ecc099c65e1a44870076dc48976dc22231e088bece3d765bc20119759', 'd64e900a768e2e5cec6ad68ebc7ac3a2e6801710f2408836b146110575e137cb');
INSERT INTO public.audit_record VALUES (35, '2025-03-10T02:00:34.000000+00:00', 'req-0034', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000017', 'officer-4', 'ps-001', 'population', '', '[]', 'ok', 'd64e900a768e2e5cec6ad68ebc7ac3a2e6801710f2408836b146110575e137cb', 'e22737f22e25355a07f79d1d7177940a65b8cf2668f901b19afc88d57dc27f3a');
INSERT INTO public.audit_record VALUES (36, '2025-03-10T02:00:35.000000+00:00', 'req-0035', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000017', 'officer-0', 'ps-002', 'population', '', '["full_name","date_of_birth"]', 'miss', 'e22737f22e25355a07f79d1d7177940a65b8cf2668f901b19afc88d57dc27f3a', '3c060e4066b9c8fcbee96e6393dbdcdc6bc67526cb3ab81863c18a4cd5e282a5');
INSERT INTO public.audit_record VALUES (37, '2025-03-10T02:00:36.000000+00:00', 'req-0036', 'SOTP-BD', 'dossier.receive', '1.004873', 'BD-2025-000018', 'officer-1', 'ps-003', 'population', '', '[]', 'ok', '3c060e4066b9c8fcbee96e6393dbdcdc6bc67526cb3ab81863c18a4cd5e282a5', '47a7efd1cc582b0948e5b34c957801cd078ec495b1e575c0fad147df24902b0a');
INSERT INTO public.audit_record VALUES (38, '2025-03-10T02:00:37.000000+00:00', 'req-0037', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000018', 'officer-2', 'ps-004', 'population', '', '["full_name","date_of_birth"]', 'ok', '47a7efd1cc582b0948e5b34c957801cd078ec495b1e575c0fad147df24902b0a', 'b8a0faeaff739cde6cd622787daf1f1b492dd62678c413aa1d63c08184fa6607');
INSERT INTO public.audit_record VALUES (39, '2025-03-10T02:00:38.000000+00:00', 'req-0038', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000019', 'officer-3', 'ps-005', 'population', '', '[]', 'ok', 'b8a0faeaff739cde6cd622787daf1f1b492dd62678c413aa1d63c08184fa6607', '5eb0a6dddd0bda7a1fdc4c43e9f6b9ccc5ac23df867019a5471ccbd0e7c9708e');
INSERT INTO public.audit_record VALUES (40, '2025-03-10T02:00:39.000000+00:00', 'req-0039', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000019', 'officer-4', 'ps-006', 'population', '', '["full_name","date_of_birth"]', 'ok', '5eb0a6dddd0bda7a1fdc4c43e9f6b9ccc5ac23df867019a5471ccbd0e7c9708e', '8f27ed413362f58e0f1dc3231bac82f8ba6398da0ed3842a221ede986f056cba');
INSERT INTO public.audit_record VALUES (41, '2025-03-10T02:00:40.000000+00:00', 'req-0040', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000020', 'officer-0', 'ps-007', 'population', '', '[]', 'ok', '8f27ed413362f58e0f1dc3231bac82f8ba6398da0ed3842a221ede986f056cba', '394cf477ed8ca9c5e378cf04c33304dcc7b6f01f121e062857e9614a19048ce8');
INSERT INTO public.audit_record VALUES (42, '2025-03-10T02:00:41.000000+00:00', 'req-0041', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000020', 'officer-1', 'ps-008', 'population', '', '["full_name","date_of_birth"]', 'ok', '394cf477ed8ca9c5e378cf04c33304dcc7b6f01f121e062857e9614a19048ce8', '2c315c9f829cf16377489b77a93aa618f423636b53e887d74e18afbc1b21f03a');
INSERT INTO public.audit_record VALUES (43, '2025-03-10T02:00:42.000000+00:00', 'req-0042', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000021', 'officer-2', 'ps-009', 'population', '', '[]', 'miss', '2c315c9f829cf16377489b77a93aa618f423636b53e887d74e18afbc1b21f03a', 'cba3c9aab8f19a8b9da5f8b21593db4cf54193f3cd2b5985e64bf234241cf725');
INSERT INTO public.audit_record VALUES (44, '2025-03-10T02:00:43.000000+00:00', 'req-0043', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000021', 'officer-3', 'ps-010', 'population', '', '["full_name","date_of_birth"]', 'ok', 'cba3c9aab8f19a8b9da5f8b21593db4cf54193f3cd2b5985e64bf234241cf725', 'a08b8306b5e0b5c94d48fdb7e24568991b8b1be2dc0809d45e49c7576ca6ceca');
INSERT INTO public.audit_record VALUES (45, '2025-03-10T02:00:44.000000+00:00', 'req-0044', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000022', 'officer-4', 'ps-000', 'population', '', '[]', 'ok', 'a08b8306b5e0b5c94d48fdb7e24568991b8b1be2dc0809d45e49c7576ca6ceca', 'b3436b578faadb1261b6783b5841ec4580e75a48dab54c55a763ed7f8bdb6547');
INSERT INTO public.audit_record VALUES (46, '2025-03-10T02:00:45.000000+00:00', 'req-0045', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000022', 'officer-0', 'ps-001', 'population', '', '["full_name","date_of_birth"]', 'ok', 'b3436b578faadb1261b6783b5841ec4580e75a48dab54c55a763ed7f8bdb6547', '0a61405f63aa8d71c14df00f82c11091cbc6cf6a69e5e58a720881dd493056c2');
INSERT INTO public.audit_record VALUES (47, '2025-03-10T02:00:46.000000+00:00', 'req-0046', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000023', 'officer-1', 'ps-002', 'population', '', '[]', 'ok', '0a61405f63aa8d71c14df00f82c11091cbc6cf6a69e5e58a720881dd493056c2', 'f65afbe3878e2f811efe8b4401fc96d48bd6db05ec76c825737e6f90d43e4144');
INSERT INTO public.audit_record VALUES (48, '2025-03-10T02:00:47.000000+00:00', 'req-0047', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000023', 'officer-2', 'ps-003', 'population', '', '["full_name","date_of_birth"]', 'ok', 'f65afbe3878e2f811efe8b4401fc96d48bd6db05ec76c825737e6f90d43e4144', '86d93ee173bc2c39600edfb30b22e2ceb8a344b3dddda5f790b64f709f8aaf5e');
INSERT INTO public.audit_record VALUES (49, '2025-03-10T02:00:48.000000+00:00', 'req-0048', 'SOTP-BD', 'dossier.receive', '1.004873', 'BD-2025-000024', 'officer-3', 'ps-004', 'population', '', '[]', 'ok', '86d93ee173bc2c39600edfb30b22e2ceb8a344b3dddda5f790b64f709f8aaf5e', '6a495bfd6dafd71dd34b863636e68138abca9a8fc868961702da67eef45df9d0');
INSERT INTO public.audit_record VALUES (50, '2025-03-10T02:00:49.000000+00:00', 'req-0049', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000024', 'officer-4', 'ps-005', 'population', '', '["full_name","date_of_birth"]', 'miss', '6a495bfd6dafd71dd34b863636e68138abca9a8fc868961702da67eef45df9d0', 'bb99b7ac25bc0954aaf7279521f826cb2d6567f55ed1fd6677116fa8a4f983e3');
INSERT INTO public.audit_record VALUES (51, '2025-03-10T02:00:50.000000+00:00', 'req-0050', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000025', 'officer-0', 'ps-006', 'population', '', '[]', 'ok', 'bb99b7ac25bc0954aaf7279521f826cb2d6567f55ed1fd6677116fa8a4f983e3', '7a996f6accdb981534d2721c9182943595980905c6ae26e1a035beaa30d8edd0');
INSERT INTO public.audit_record VALUES (52, '2025-03-10T02:00:51.000000+00:00', 'req-0051', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000025', 'officer-1', 'ps-007', 'population', '', '["full_name","date_of_birth"]', 'ok', '7a996f6accdb981534d2721c9182943595980905c6ae26e1a035beaa30d8edd0', '7df2fa678e3dbfc62359bc9d1fee1b07d0a68eea9d36bd8c9d2a9eaa01dcf1d7');
INSERT INTO public.audit_record VALUES (53, '2025-03-10T02:00:52.000000+00:00', 'req-0052', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000026', 'officer-2', 'ps-008', 'population', '', '[]', 'ok', '7df2fa678e3dbfc62359bc9d1fee1b07d0a68eea9d36bd8c9d2a9eaa01dcf1d7', 'a823d076efc6f3d1f053554d90f5b8dff0cba9aaaa63e66fab8f12acb9cecef4');
INSERT INTO public.audit_record VALUES (54, '2025-03-10T02:00:53.000000+00:00', 'req-0053', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000026', 'officer-3', 'ps-009', 'population', '', '["full_name","date_of_birth"]', 'ok', 'a823d076efc6f3d1f053554d90f5b8dff0cba9aaaa63e66fab8f12acb9cecef4', '3aa150983cbc4eab22ec01a5cfedb367b3987cb08cc1dadd0b4d5c2efb7aae14');
INSERT INTO public.audit_record VALUES (55, '2025-03-10T02:00:54.000000+00:00', 'req-0054', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000027', 'officer-4', 'ps-010', 'population', '', '[]', 'ok', '3aa150983cbc4eab22ec01a5cfedb367b3987cb08cc1dadd0b4d5c2efb7aae14', '749a5ca67647cdf2f0be999227ff7fec642a77b2d562da1c1fd9b9248533a965');
INSERT INTO public.audit_record VALUES (56, '2025-03-10T02:00:55.000000+00:00', 'req-0055', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000027', 'officer-0', 'ps-000', 'population', '', '["full_name","date_of_birth"]', 'ok', '749a5ca67647cdf2f0be999227ff7fec642a77b2d562da1c1fd9b9248533a965', 'c41eabd39b96abe8bd2e010cd4be627665982ad36972ddb96f72677278d8ac99');
INSERT INTO public.audit_record VALUES (57, '2025-03-10T02:00:56.000000+00:00', 'req-0056', 'UBND-THUDAUMOT', 'dossier.receive', '1.004873', 'BD-2025-000028', 'officer-1', 'ps-001', 'population', '', '[]', 'miss', 'c41eabd39b96abe8bd2e010cd4be627665982ad36972ddb96f72677278d8ac99', '2d805e19b92bf4c1aae74da59bcbe86ffb8eac2f84f65d295168af9be27cdb47');
INSERT INTO public.audit_record VALUES (58, '2025-03-10T02:00:57.000000+00:00', 'req-0057', 'SOTP-BD', 'citizen.read', '1.004873', 'BD-2025-000028', 'officer-2', 'ps-002', 'population', '', '["full_name","date_of_birth"]', 'ok', '2d805e19b92bf4c1aae74da59bcbe86ffb8eac2f84f65d295168af9be27cdb47', 'ec79204ae14bfe0d776d2f0a4afb87fe7315cdc6b94b869f9dd80e13dd0f39ad');
INSERT INTO public.audit_record VALUES (59, '2025-03-10T02:00:58.000000+00:00', 'req-0058', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000029', 'officer-3', 'ps-003', 'population', '', '[]', 'ok', 'ec79204ae14bfe0d776d2f0a4afb87fe7315cdc6b94b869f9dd80e13dd0f39ad', '666dbe4956115ce179eac4079c499a876fcefb69cfbb468f640753861c913704');
INSERT INTO public.audit_record VALUES (60, '2025-03-10T02:00:59.000000+00:00', 'req-0059', 'UBND-THUDAUMOT', 'citizen.read', '1.004873', 'BD-2025-000029', 'officer-4', 'ps-004', 'population', '', '["full_name","date_of_birth"]', 'ok', '666dbe4956115ce179eac4079c499a876fcefb69cfbb468f640753861c913704', 'f254f4ecde84b79fbc00f0c54a9d4f9746ac6b70d0a9dc6ed3bb9ce9dda3ab50');


--
-- Data for Name: dossier; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.dossier VALUES ('BD-2025-000000', 'UBND-THUDAUMOT', '1.004873', 'ps-000', '0000000000000000000000000000000000000000000000000000000000000000', '{"dossier_id": "BD-2025-000000", "status": "received"}', '2025-03-10 02:00:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000001', 'UBND-THUDAUMOT', '1.004873', 'ps-001', '0000000000000000000000000000000000000000000000000000000000000001', '{"dossier_id": "BD-2025-000001", "status": "received"}', '2025-03-10 02:01:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000002', 'UBND-THUDAUMOT', '1.004873', 'ps-002', '0000000000000000000000000000000000000000000000000000000000000002', '{"dossier_id": "BD-2025-000002", "status": "received"}', '2025-03-10 02:02:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000003', 'UBND-THUDAUMOT', '1.004873', 'ps-003', '0000000000000000000000000000000000000000000000000000000000000003', '{"dossier_id": "BD-2025-000003", "status": "received"}', '2025-03-10 02:03:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000004', 'UBND-THUDAUMOT', '1.004873', 'ps-004', '0000000000000000000000000000000000000000000000000000000000000004', '{"dossier_id": "BD-2025-000004", "status": "received"}', '2025-03-10 02:04:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000005', 'UBND-THUDAUMOT', '1.004873', 'ps-005', '0000000000000000000000000000000000000000000000000000000000000005', '{"dossier_id": "BD-2025-000005", "status": "received"}', '2025-03-10 02:05:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000006', 'UBND-THUDAUMOT', '1.004873', 'ps-006', '0000000000000000000000000000000000000000000000000000000000000006', '{"dossier_id": "BD-2025-000006", "status": "received"}', '2025-03-10 02:06:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000007', 'UBND-THUDAUMOT', '1.004873', 'ps-007', '0000000000000000000000000000000000000000000000000000000000000007', '{"dossier_id": "BD-2025-000007", "status": "received"}', '2025-03-10 02:07:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000008', 'UBND-THUDAUMOT', '1.004873', 'ps-008', '0000000000000000000000000000000000000000000000000000000000000008', '{"dossier_id": "BD-2025-000008", "status": "received"}', '2025-03-10 02:08:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000009', 'UBND-THUDAUMOT', '1.004873', 'ps-009', '0000000000000000000000000000000000000000000000000000000000000009', '{"dossier_id": "BD-2025-000009", "status": "received"}', '2025-03-10 02:09:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000010', 'UBND-THUDAUMOT', '1.004873', 'ps-010', '000000000000000000000000000000000000000000000000000000000000000a', '{"dossier_id": "BD-2025-000010", "status": "received"}', '2025-03-10 02:10:00+00');
INSERT INTO public.dossier VALUES ('BD-2025-000011', 'UBND-THUDAUMOT', '1.004873', 'ps-011', '000000000000000000000000000000000000000000000000000000000000000b', '{"dossier_id": "BD-2025-000011", "status": "received"}', '2025-03-10 02:11:00+00');


--
-- Data for Name: dossier_resolution; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.dossier_resolution VALUES ('BD-2025-000000', '0000000000000000000000000000000000000000000000000000000000000064', '{"dossier_id": "BD-2025-000000", "outcome": "approved"}');
INSERT INTO public.dossier_resolution VALUES ('BD-2025-000003', '0000000000000000000000000000000000000000000000000000000000000067', '{"dossier_id": "BD-2025-000003", "outcome": "approved"}');
INSERT INTO public.dossier_resolution VALUES ('BD-2025-000006', '000000000000000000000000000000000000000000000000000000000000006a', '{"dossier_id": "BD-2025-000006", "outcome": "approved"}');
INSERT INTO public.dossier_resolution VALUES ('BD-2025-000009', '000000000000000000000000000000000000000000000000000000000000006d', '{"dossier_id": "BD-2025-000009", "outcome": "approved"}');


--
-- Data for Name: outbox; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.outbox VALUES (9, '56282e6d-582a-4d58-9738-49844dd4af7d', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303038', '\x0a2435363238326536642d353832612d346435382d393733382d343938343464643461663764120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303038120e55424e442d5448554441554d4f54', 1796112239.6229863, NULL);
INSERT INTO public.outbox VALUES (10, '6d61edf2-6561-42c4-8cca-7a4f2c00cd60', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303039', '\x0a2436643631656466322d363536312d343263342d386363612d376134663263303063643630120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303039120e55424e442d5448554441554d4f54', 1796112239.6259944, NULL);
INSERT INTO public.outbox VALUES (11, 'f9cd8a36-88c6-43bf-a139-5d2da0e76941', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303130', '\x0a2466396364386133362d383863362d343362662d613133392d356432646130653736393431120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303130120e55424e442d5448554441554d4f54', 1796112239.6325574, NULL);
INSERT INTO public.outbox VALUES (12, '9d336171-ee13-49f6-a731-03e474ead999', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303131', '\x0a2439643333363137312d656531332d343966362d613733312d303365343734656164393939120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303131120e55424e442d5448554441554d4f54', 1796112239.6349971, NULL);
INSERT INTO public.outbox VALUES (1, '024def3f-f9d8-49a8-86c8-4e362362b6aa', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303030', '\x0a2430323464656633662d663964382d343961382d383663382d346533363233363262366161120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303030120e55424e442d5448554441554d4f54', 1796112239.5986297, 1741572001);
INSERT INTO public.outbox VALUES (2, '55395ded-9289-4b9c-a4f9-92aade304862', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303031', '\x0a2435353339356465642d393238392d346239632d613466392d393261616465333034383632120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303031120e55424e442d5448554441554d4f54', 1796112239.6055179, 1741572001);
INSERT INTO public.outbox VALUES (3, 'bfeeebd2-8872-4ec5-9479-f272409feebe', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303032', '\x0a2462666565656264322d383837322d346563352d393437392d663237323430396665656265120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303032120e55424e442d5448554441554d4f54', 1796112239.607675, 1741572001);
INSERT INTO public.outbox VALUES (4, 'bdd6411b-f914-4f2f-b785-4bb3a82cf895', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303033', '\x0a2462646436343131622d663931342d346632662d623738352d346262336138326366383935120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303033120e55424e442d5448554441554d4f54', 1796112239.610116, 1741572001);
INSERT INTO public.outbox VALUES (5, 'f8d922f8-30ab-4b10-bdf9-8727f553b3bc', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303034', '\x0a2466386439323266382d333061622d346231302d626466392d383732376635353362336263120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303034120e55424e442d5448554441554d4f54', 1796112239.6129704, 1741572001);
INSERT INTO public.outbox VALUES (6, '6174c6fd-0355-4aaf-81a1-d04b47df8f90', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303035', '\x0a2436313734633666642d303335352d346161662d383161312d643034623437646638663930120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303035120e55424e442d5448554441554d4f54', 1796112239.614387, 1741572001);
INSERT INTO public.outbox VALUES (7, 'a585e3ef-4296-4859-8571-6d3e5a436c72', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303036', '\x0a2461353835653365662d343239362d343835392d383537312d366433653561343336633732120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303036120e55424e442d5448554441554d4f54', 1796112239.6191173, 1741572001);
INSERT INTO public.outbox VALUES (8, '9811b735-8ad9-493f-af85-b7c7d7a0c4d4', 'onceonly.dossier-events.v1', '\x42442d323032352d303030303037', '\x0a2439383131623733352d386164392d343933662d616638352d623763376437613063346434120608a08fb9be061a076761746577617952200a0e42442d323032352d303030303037120e55424e442d5448554441554d4f54', 1796112239.6214085, 1741572001);


--
-- Data for Name: outbox_relay_lease; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.outbox_relay_lease VALUES ('gateway', 'gw-1', 0);


--
-- Name: agency_registry_version_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.agency_registry_version_id_seq', 1, false);


--
-- Name: audit_head_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_head_id_seq', 1, false);


--
-- Name: audit_record_seq_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_record_seq_seq', 1, false);


--
-- Name: outbox_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.outbox_id_seq', 12, true);


--
-- Name: agency agency_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agency
    ADD CONSTRAINT agency_pkey PRIMARY KEY (code);


--
-- Name: agency_registry_version agency_registry_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agency_registry_version
    ADD CONSTRAINT agency_registry_version_pkey PRIMARY KEY (id);


--
-- Name: audit_head audit_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_head
    ADD CONSTRAINT audit_head_pkey PRIMARY KEY (id);


--
-- Name: audit_record audit_record_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_record
    ADD CONSTRAINT audit_record_pkey PRIMARY KEY (seq);


--
-- Name: dossier dossier_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier
    ADD CONSTRAINT dossier_pkey PRIMARY KEY (dossier_id);


--
-- Name: dossier_resolution dossier_resolution_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dossier_resolution
    ADD CONSTRAINT dossier_resolution_pkey PRIMARY KEY (dossier_id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: outbox_relay_lease outbox_relay_lease_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox_relay_lease
    ADD CONSTRAINT outbox_relay_lease_pkey PRIMARY KEY (name);


--
-- Name: ix_agency_key_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX ix_agency_key_id ON public.agency USING btree (key_id);


--
-- Name: ix_audit_record_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_audit_record_subject ON public.audit_record USING btree (subject_pseudonym, seq);


--
-- Name: ix_dossier_agency_code; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_dossier_agency_code ON public.dossier USING btree (agency_code);


--
-- Name: ix_outbox_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_outbox_pending ON public.outbox USING btree (id) WHERE (sent_at IS NULL);


--
-- PostgreSQL database dump complete
--


