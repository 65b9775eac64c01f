alter table ticket add constraint ticket_code_uq unique (code) deferrable initially deferred;
