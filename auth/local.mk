# auth: md5 and AES helpers, pool_passwd, pool_hba.conf and pcp.conf readers.
libpgng_a_SOURCES += auth/md5.c auth/md5.h auth/aes.c auth/aes.h \
	auth/passwd.c auth/passwd.h auth/pcp_users.c auth/pcp_users.h \
	auth/hba.c auth/hba.h auth/hba_internal.h auth/hba_token.c auth/hba_match.c

check_PROGRAMS += unit/test_auth
unit_test_auth_SOURCES = unit/test_auth.c unit/test_auth_hba.c
unit_test_auth_CFLAGS = $(UNIT_CFLAGS)
unit_test_auth_LDADD = $(UNIT_LDADD)
TESTS += unit/test_auth

# auth: SCRAM-SHA-256 for both sides of the pooler, and SASLprep of passwords.
libpgng_a_SOURCES += auth/scram.h auth/scram_internal.h auth/scram_secret.c \
	auth/scram_server.c auth/scram_client.c auth/saslprep.c auth/saslprep.h \
	auth/saslprep_table.h auth/saslprep_table_rules.c auth/saslprep_table_single.c \
	auth/saslprep_table_multi.c auth/saslprep_table_data.c
EXTRA_DIST += auth/saslprep_gen.py

check_PROGRAMS += unit/test_scram
unit_test_scram_SOURCES = unit/test_scram.c unit/test_scram_vectors.c unit/test_scram.h
unit_test_scram_CFLAGS = $(UNIT_CFLAGS)
unit_test_scram_LDADD = $(UNIT_LDADD)
TESTS += unit/test_scram
