BEGIN TRANSACTION;
CREATE TABLE applied_events (
	event_id VARCHAR(64) NOT NULL, 
	applied_at DOUBLE NOT NULL, 
	PRIMARY KEY (event_id)
)
 WITHOUT ROWID

;
INSERT INTO "applied_events" VALUES('085d9c69-ebad-4087-9d37-cdb0446dbbf2',1741600000.0);
INSERT INTO "applied_events" VALUES('18c95388-551b-4075-9711-e75337a8f9db',1741600000.0);
INSERT INTO "applied_events" VALUES('1b7c67dc-a4b6-4284-a4e1-b2d5bc9c893b',1741600000.0);
INSERT INTO "applied_events" VALUES('1f8b1716-71cb-4a35-b59f-d174e5b234a8',1741600000.0);
INSERT INTO "applied_events" VALUES('2273621f-66fd-448b-9b52-236f3851f261',1741600000.0);
INSERT INTO "applied_events" VALUES('43a14167-6f85-4adc-a2e6-dccc42bc8a0f',1741600000.0);
INSERT INTO "applied_events" VALUES('49998e6d-48ef-406c-991a-a6734c5d6627',1741600000.0);
INSERT INTO "applied_events" VALUES('574521d5-b8eb-4640-afbb-3a32dc526f34',1741600000.0);
INSERT INTO "applied_events" VALUES('64a33fa5-0f63-472e-8ec4-b673c2041bb7',1741600000.0);
INSERT INTO "applied_events" VALUES('6fc9945f-f27e-4d1d-a1b6-1873781b28d5',1741600000.0);
INSERT INTO "applied_events" VALUES('710887f9-a245-46a0-aaf6-69a044410e48',1741600000.0);
INSERT INTO "applied_events" VALUES('747ce51f-3c71-4f52-b0b0-e2ac2ccabbd2',1741600000.0);
INSERT INTO "applied_events" VALUES('780d7497-22b3-44b2-b854-588038b2b5f0',1741600000.0);
INSERT INTO "applied_events" VALUES('804f2517-88d2-48c6-a22d-416054e49d78',1741600000.0);
INSERT INTO "applied_events" VALUES('8fe552e0-f432-45e1-b248-f7a68487f466',1741600000.0);
INSERT INTO "applied_events" VALUES('99002313-0a01-4def-8b4e-225fb29b334d',1741600000.0);
INSERT INTO "applied_events" VALUES('a1340e53-269a-4ce5-9e74-9a0f50ad60e1',1741600000.0);
INSERT INTO "applied_events" VALUES('a6291ee4-95fd-4eda-82fe-036ed1b1a8a6',1741600000.0);
INSERT INTO "applied_events" VALUES('ac6e0934-d69b-4087-b2ec-24d1e96db92b',1741600000.0);
INSERT INTO "applied_events" VALUES('afc9dc68-d21e-4385-8221-ab3e5fa8333f',1741600000.0);
INSERT INTO "applied_events" VALUES('b5294b2e-6ada-422c-9a1e-d9248bfd2773',1741600000.0);
INSERT INTO "applied_events" VALUES('bb81d5f4-66c2-4677-9755-0ac8d707a2b6',1741600000.0);
INSERT INTO "applied_events" VALUES('c94e42fa-d5f0-421c-9069-de918b8635ee',1741600000.0);
INSERT INTO "applied_events" VALUES('e11c6a89-2cb8-4d91-8262-461c8e246a00',1741600000.0);
CREATE TABLE tracker_cube (
	procedure VARCHAR NOT NULL, 
	agency VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (procedure, agency, month, province, channel, jurisdiction)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube" VALUES('1.001','CA-BD','2025-03','Thành phố Hồ Chí Minh','counter','local',1,0,0,0,0,0,0,0,0,0,0);
INSERT INTO "tracker_cube" VALUES('1.001','CA-BD','2025-03','Thành phố Hồ Chí Minh','online','local',1,0,0,1,1,0,0,0,1,1,0);
INSERT INTO "tracker_cube" VALUES('1.001','SOTP-BD','2025-03','Thành phố Hồ Chí Minh','online','local',3,2,3,3,3,3,2,0,3,3,3);
INSERT INTO "tracker_cube" VALUES('2.002','CA-BD','2025-03','Thành phố Hồ Chí Minh','counter','local',1,0,0,0,0,0,0,0,1,0,0);
INSERT INTO "tracker_cube" VALUES('2.002','CA-BD','2025-03','Thành phố Hồ Chí Minh','counter','non_jurisdictional',1,0,0,0,0,0,0,1,0,0,0);
INSERT INTO "tracker_cube" VALUES('2.002','SOTP-BD','2025-03','Thành phố Hồ Chí Minh','online','local',3,2,2,3,3,2,1,0,3,3,3);
CREATE TABLE tracker_cube_agency (
	agency VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (agency, month, province)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_agency" VALUES('CA-BD','2025-03','Thành phố Hồ Chí Minh',4,0,0,1,1,0,0,1,2,1,0);
INSERT INTO "tracker_cube_agency" VALUES('SOTP-BD','2025-03','Thành phố Hồ Chí Minh',6,4,5,6,6,5,3,0,6,6,6);
CREATE TABLE tracker_cube_agency_procedure (
	procedure VARCHAR NOT NULL, 
	agency VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (procedure, agency, month, province)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_agency_procedure" VALUES('1.001','CA-BD','2025-03','Thành phố Hồ Chí Minh',2,0,0,1,1,0,0,0,1,1,0);
INSERT INTO "tracker_cube_agency_procedure" VALUES('1.001','SOTP-BD','2025-03','Thành phố Hồ Chí Minh',3,2,3,3,3,3,2,0,3,3,3);
INSERT INTO "tracker_cube_agency_procedure" VALUES('2.002','CA-BD','2025-03','Thành phố Hồ Chí Minh',2,0,0,0,0,0,0,1,1,0,0);
INSERT INTO "tracker_cube_agency_procedure" VALUES('2.002','SOTP-BD','2025-03','Thành phố Hồ Chí Minh',3,2,2,3,3,2,1,0,3,3,3);
CREATE TABLE tracker_cube_agency_procedure_year (
	procedure VARCHAR NOT NULL, 
	agency VARCHAR NOT NULL, 
	year VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (procedure, agency, year, province)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_agency_procedure_year" VALUES('1.001','CA-BD','2025','Thành phố Hồ Chí Minh',2,0,0,1,1,0,0,0,1,1,0);
INSERT INTO "tracker_cube_agency_procedure_year" VALUES('1.001','SOTP-BD','2025','Thành phố Hồ Chí Minh',3,2,3,3,3,3,2,0,3,3,3);
INSERT INTO "tracker_cube_agency_procedure_year" VALUES('2.002','CA-BD','2025','Thành phố Hồ Chí Minh',2,0,0,0,0,0,0,1,1,0,0);
INSERT INTO "tracker_cube_agency_procedure_year" VALUES('2.002','SOTP-BD','2025','Thành phố Hồ Chí Minh',3,2,2,3,3,2,1,0,3,3,3);
CREATE TABLE tracker_cube_agency_year (
	agency VARCHAR NOT NULL, 
	year VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (agency, year, province)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_agency_year" VALUES('CA-BD','2025','Thành phố Hồ Chí Minh',4,0,0,1,1,0,0,1,2,1,0);
INSERT INTO "tracker_cube_agency_year" VALUES('SOTP-BD','2025','Thành phố Hồ Chí Minh',6,4,5,6,6,5,3,0,6,6,6);
CREATE TABLE tracker_cube_national (
	month VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (month, channel, jurisdiction)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_national" VALUES('2025-03','counter','local',2,0,0,0,0,0,0,0,1,0,0);
INSERT INTO "tracker_cube_national" VALUES('2025-03','counter','non_jurisdictional',1,0,0,0,0,0,0,1,0,0,0);
INSERT INTO "tracker_cube_national" VALUES('2025-03','online','local',7,4,5,7,7,5,3,0,7,7,6);
CREATE TABLE tracker_cube_procedure (
	procedure VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (procedure, month)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_procedure" VALUES('1.001','2025-03',5,2,3,4,4,3,2,0,4,4,3);
INSERT INTO "tracker_cube_procedure" VALUES('2.002','2025-03',5,2,2,3,3,2,1,1,4,3,3);
CREATE TABLE tracker_cube_procedure_year (
	procedure VARCHAR NOT NULL, 
	year VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (procedure, year)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_procedure_year" VALUES('1.001','2025',5,2,3,4,4,3,2,0,4,4,3);
INSERT INTO "tracker_cube_procedure_year" VALUES('2.002','2025',5,2,2,3,3,2,1,1,4,3,3);
CREATE TABLE tracker_cube_province (
	province VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (province, month, channel, jurisdiction)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_province" VALUES('Thành phố Hồ Chí Minh','2025-03','counter','local',2,0,0,0,0,0,0,0,1,0,0);
INSERT INTO "tracker_cube_province" VALUES('Thành phố Hồ Chí Minh','2025-03','counter','non_jurisdictional',1,0,0,0,0,0,0,1,0,0,0);
INSERT INTO "tracker_cube_province" VALUES('Thành phố Hồ Chí Minh','2025-03','online','local',7,4,5,7,7,5,3,0,7,7,6);
CREATE TABLE tracker_cube_province_procedure (
	province VARCHAR NOT NULL, 
	procedure VARCHAR NOT NULL, 
	month VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (province, procedure, month, channel, jurisdiction)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_province_procedure" VALUES('Thành phố Hồ Chí Minh','1.001','2025-03','counter','local',1,0,0,0,0,0,0,0,0,0,0);
INSERT INTO "tracker_cube_province_procedure" VALUES('Thành phố Hồ Chí Minh','1.001','2025-03','online','local',4,2,3,4,4,3,2,0,4,4,3);
INSERT INTO "tracker_cube_province_procedure" VALUES('Thành phố Hồ Chí Minh','2.002','2025-03','counter','local',1,0,0,0,0,0,0,0,1,0,0);
INSERT INTO "tracker_cube_province_procedure" VALUES('Thành phố Hồ Chí Minh','2.002','2025-03','counter','non_jurisdictional',1,0,0,0,0,0,0,1,0,0,0);
INSERT INTO "tracker_cube_province_procedure" VALUES('Thành phố Hồ Chí Minh','2.002','2025-03','online','local',3,2,2,3,3,2,1,0,3,3,3);
CREATE TABLE tracker_cube_province_procedure_year (
	province VARCHAR NOT NULL, 
	procedure VARCHAR NOT NULL, 
	year VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received INTEGER NOT NULL, 
	reused INTEGER NOT NULL, 
	population INTEGER NOT NULL, 
	input_digital INTEGER NOT NULL, 
	online INTEGER NOT NULL, 
	fee_carried INTEGER NOT NULL, 
	paid_online INTEGER NOT NULL, 
	non_jurisdictional INTEGER NOT NULL, 
	resolved INTEGER NOT NULL, 
	output_digital INTEGER NOT NULL, 
	on_time INTEGER NOT NULL, 
	PRIMARY KEY (province, procedure, year, channel, jurisdiction)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_cube_province_procedure_year" VALUES('Thành phố Hồ Chí Minh','1.001','2025','counter','local',1,0,0,0,0,0,0,0,0,0,0);
INSERT INTO "tracker_cube_province_procedure_year" VALUES('Thành phố Hồ Chí Minh','1.001','2025','online','local',4,2,3,4,4,3,2,0,4,4,3);
INSERT INTO "tracker_cube_province_procedure_year" VALUES('Thành phố Hồ Chí Minh','2.002','2025','counter','local',1,0,0,0,0,0,0,0,1,0,0);
INSERT INTO "tracker_cube_province_procedure_year" VALUES('Thành phố Hồ Chí Minh','2.002','2025','counter','non_jurisdictional',1,0,0,0,0,0,0,1,0,0,0);
INSERT INTO "tracker_cube_province_procedure_year" VALUES('Thành phố Hồ Chí Minh','2.002','2025','online','local',3,2,2,3,3,2,1,0,3,3,3);
CREATE TABLE tracker_dossier (
	dossier_id VARCHAR NOT NULL, 
	received BOOLEAN NOT NULL, 
	agency VARCHAR NOT NULL, 
	procedure VARCHAR NOT NULL, 
	province VARCHAR NOT NULL, 
	channel VARCHAR NOT NULL, 
	jurisdiction VARCHAR NOT NULL, 
	received_at BIGINT, 
	due_at BIGINT, 
	fee BIGINT NOT NULL, 
	paid_online BOOLEAN NOT NULL, 
	any_reused BOOLEAN NOT NULL, 
	all_digital BOOLEAN NOT NULL, 
	population_used BOOLEAN NOT NULL, 
	resolved_at BIGINT, 
	result_electronic BOOLEAN NOT NULL, 
	first_lookup_at BIGINT, 
	lookup_agency VARCHAR NOT NULL, 
	PRIMARY KEY (dossier_id)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_dossier" VALUES('ghost-1',0,'','','','','',NULL,NULL,0,0,0,0,1,NULL,0,1740790800000000,'UBND-X');
INSERT INTO "tracker_dossier" VALUES('mix-0',1,'SOTP-BD','1.001','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,20000,1,1,1,1,1742007600000000,1,1741136400000000,'SOTP-BD');
INSERT INTO "tracker_dossier" VALUES('mix-1',1,'SOTP-BD','2.002','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,20000,1,1,1,1,1742007600000000,1,1741571700000000,'SOTP-BD');
INSERT INTO "tracker_dossier" VALUES('mix-2',1,'SOTP-BD','1.001','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,20000,1,1,1,1,1742007600000000,1,1741571700000000,'SOTP-BD');
INSERT INTO "tracker_dossier" VALUES('mix-3',1,'SOTP-BD','2.002','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,20000,0,1,1,1,1742007600000000,1,1741571700000000,'SOTP-BD');
INSERT INTO "tracker_dossier" VALUES('mix-4',1,'SOTP-BD','1.001','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,20000,0,0,1,1,1742007600000000,1,1741571700000000,'SOTP-BD');
INSERT INTO "tracker_dossier" VALUES('mix-5',1,'SOTP-BD','2.002','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,0,0,0,1,0,1742007600000000,1,NULL,'');
INSERT INTO "tracker_dossier" VALUES('mix-6',1,'CA-BD','1.001','Thành phố Hồ Chí Minh','online','local',1741572000000000,1742464800000000,0,0,0,1,0,1742871600000000,1,NULL,'');
INSERT INTO "tracker_dossier" VALUES('mix-7',1,'CA-BD','2.002','Thành phố Hồ Chí Minh','counter','local',1741572000000000,1742464800000000,0,0,0,0,0,1742871600000000,0,NULL,'');
INSERT INTO "tracker_dossier" VALUES('mix-8',1,'CA-BD','1.001','Thành phố Hồ Chí Minh','counter','local',1741572000000000,1742464800000000,0,0,0,0,0,NULL,0,NULL,'');
INSERT INTO "tracker_dossier" VALUES('mix-9',1,'CA-BD','2.002','Thành phố Hồ Chí Minh','counter','non_jurisdictional',1741572000000000,1742464800000000,0,0,0,0,0,NULL,0,NULL,'');
CREATE TABLE tracker_lookup (
	event_id VARCHAR NOT NULL, 
	dossier_id VARCHAR NOT NULL, 
	agency VARCHAR NOT NULL, 
	source INTEGER NOT NULL, 
	outcome INTEGER NOT NULL, 
	occurred_at BIGINT NOT NULL, 
	PRIMARY KEY (event_id)
)
 WITHOUT ROWID

;
INSERT INTO "tracker_lookup" VALUES('574521d5-b8eb-4640-afbb-3a32dc526f34','mix-1','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('64a33fa5-0f63-472e-8ec4-b673c2041bb7','mix-2','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('6fc9945f-f27e-4d1d-a1b6-1873781b28d5','mix-3','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('780d7497-22b3-44b2-b854-588038b2b5f0','mix-0','SOTP-BD',1,1,1741136400000000);
INSERT INTO "tracker_lookup" VALUES('a6291ee4-95fd-4eda-82fe-036ed1b1a8a6','ghost-1','UBND-X',1,1,1740790800000000);
INSERT INTO "tracker_lookup" VALUES('b5294b2e-6ada-422c-9a1e-d9248bfd2773','mix-4','SOTP-BD',1,1,1741571700000000);
CREATE INDEX ix_tracker_dossier_pending ON tracker_dossier (received, first_lookup_at, dossier_id);
CREATE INDEX ix_tracker_lookup_dossier ON tracker_lookup (dossier_id, occurred_at, agency, source);
CREATE INDEX ix_tracker_cube_agency_0 ON tracker_cube_agency (province, month);
CREATE INDEX ix_tracker_cube_province_procedure_year_0 ON tracker_cube_province_procedure_year (procedure, year);
CREATE INDEX ix_tracker_cube_province_procedure_0 ON tracker_cube_province_procedure (procedure, month);
CREATE INDEX ix_tracker_cube_agency_procedure_year_0 ON tracker_cube_agency_procedure_year (agency, year);
CREATE INDEX ix_tracker_cube_agency_procedure_0 ON tracker_cube_agency_procedure (agency, month);
CREATE INDEX ix_tracker_cube_0 ON tracker_cube (agency, month);
COMMIT;
