BEGIN TRANSACTION;
CREATE TABLE applied_events (
	event_id VARCHAR(64) NOT NULL, 
	applied_at DOUBLE NOT NULL, 
	PRIMARY KEY (event_id)
)
 WITHOUT ROWID

;
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
INSERT INTO "tracker_lookup" VALUES('1232b5e3-768d-47dc-abe5-04f053e21657','mix-2','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('6c5e1387-9478-4a03-bcdf-ac12a11eee35','mix-0','SOTP-BD',1,1,1741136400000000);
INSERT INTO "tracker_lookup" VALUES('845e53c1-68f4-4b41-86e2-a5788a84a002','mix-3','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('9329c310-9a8e-4a23-a8b0-ca78e0d8630b','ghost-1','UBND-X',1,1,1740790800000000);
INSERT INTO "tracker_lookup" VALUES('a1bd7eb5-0190-4ccc-a8ae-425654250d1d','mix-1','SOTP-BD',1,1,1741571700000000);
INSERT INTO "tracker_lookup" VALUES('acb5b058-f785-4792-bc0f-2a1f638c7087','mix-4','SOTP-BD',1,1,1741571700000000);
CREATE INDEX ix_tracker_dossier_pending ON tracker_dossier (received, first_lookup_at, dossier_id);
CREATE INDEX ix_tracker_lookup_dossier ON tracker_lookup (dossier_id, occurred_at, agency, source);
CREATE INDEX ix_tracker_cube_agency_0 ON tracker_cube_agency (province, month);
CREATE INDEX ix_tracker_cube_province_procedure_year_0 ON tracker_cube_province_procedure_year (procedure, year);
CREATE INDEX ix_tracker_cube_province_procedure_0 ON tracker_cube_province_procedure (procedure, month);
CREATE INDEX ix_tracker_cube_agency_procedure_year_0 ON tracker_cube_agency_procedure_year (agency, year);
CREATE INDEX ix_tracker_cube_agency_procedure_0 ON tracker_cube_agency_procedure (agency, month);
CREATE INDEX ix_tracker_cube_0 ON tracker_cube (agency, month);
COMMIT;
