-- Roles and the application database, idempotently (a re-run sets the passwords again).
-- psql -v ON_ERROR_STOP=1 -v temporal_pw=… -v app_pw=… -f deploy/postgres/init-roles.sql
-- Run by docker-compose.yml's postgres-init job and by `npm run test:production`, as the superuser.
SELECT 'CREATE ROLE temporal' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'temporal') \gexec
ALTER ROLE temporal WITH LOGIN CREATEDB PASSWORD :'temporal_pw';
SELECT 'CREATE ROLE meta' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'meta') \gexec
ALTER ROLE meta WITH LOGIN PASSWORD :'app_pw';
SELECT 'CREATE DATABASE meta_integration OWNER meta' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'meta_integration') \gexec
