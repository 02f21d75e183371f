-- Statements Trino refuses, and the reason analyseSql gives.

-- case: misspelled keyword
-- session: tpch.tiny
-- error: syntax error at line 1:1: unexpected 'SELEC'
SELEC * nation;

-- case: missing FROM item
-- session: tpch.tiny
-- error: syntax error at line 3:1: unexpected 'WHERE'
SELECT *
FROM
WHERE x = 1;

-- case: two statements
-- session: tpch.tiny
-- error: syntax error at line 1:21: unexpected ';'
SELECT * FROM nation; SELECT * FROM region;

-- case: backquoted identifier
-- session: tpch.tiny
-- error: syntax error at line 1:15: backquoted identifiers are not supported; use double quotes to quote identifiers
SELECT * FROM `nation`;

-- case: identifier starting with a digit
-- session: tpch.tiny
-- error: syntax error at line 1:8: identifiers must not start with a digit; surround the identifier with double quotes
SELECT 1st_place FROM nation;

-- case: name part starting with a digit lexes as a decimal, as in Trino
-- session: tpch.tiny
-- error: syntax error at line 1:23: unexpected '.1'
SELECT * FROM tpch.sf1.1orders;

-- case: too many name parts
-- session: tpch.tiny
-- error: syntax error at line 1:31: unexpected '.'
SELECT * FROM tpch.tiny.nation.name;

-- case: unbalanced parenthesis (antlr reports where its prediction gave up, not at the end as Trino does)
-- session: tpch.tiny
-- error: syntax error at line 1:38: unexpected 'IN'
SELECT * FROM nation WHERE nationkey IN (1, 2, 3;

-- case: comment only
-- session: tpch.tiny
-- error: syntax error at line 1:23: unexpected end of statement
-- nothing to run here;

-- case: syntax error inside EXECUTE IMMEDIATE
-- session: tpch.tiny
-- error: in EXECUTE IMMEDIATE: syntax error at line 1:15: unexpected 'WHERE'
EXECUTE IMMEDIATE 'SELECT * FROM WHERE';

-- case: a dt-sql-parser extension, not Trino
-- session: tpch.tiny
-- error: syntax error at line 1:6: unexpected 'COMMENT'
SHOW COMMENT ON TABLE nation;
