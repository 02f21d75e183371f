-- 35 TPC-DS queries (specification templates, validation substitutions) as facts cases.

-- case: tpcds-q01
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.date_dim, tpcds.sf1.store, tpcds.sf1.store_returns
with customer_total_return as (
    select sr_customer_sk as ctr_customer_sk, sr_store_sk as ctr_store_sk, sum(sr_return_amt) as ctr_total_return
    from store_returns, date_dim
    where sr_returned_date_sk = d_date_sk and d_year = 2000
    group by sr_customer_sk, sr_store_sk
)
select c_customer_id
from customer_total_return ctr1, store, customer
where ctr1.ctr_total_return > (
        select avg(ctr_total_return) * 1.2 from customer_total_return ctr2 where ctr1.ctr_store_sk = ctr2.ctr_store_sk
    )
    and s_store_sk = ctr1.ctr_store_sk
    and s_state = 'TN'
    and ctr1.ctr_customer_sk = c_customer_sk
order by c_customer_id
limit 100;

-- case: tpcds-q03
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select dt.d_year, item.i_brand_id brand_id, item.i_brand brand, sum(ss_ext_sales_price) sum_agg
from date_dim dt, store_sales, item
where dt.d_date_sk = store_sales.ss_sold_date_sk
    and store_sales.ss_item_sk = item.i_item_sk
    and item.i_manufact_id = 128
    and dt.d_moy = 11
group by dt.d_year, item.i_brand, item.i_brand_id
order by dt.d_year, sum_agg desc, brand_id
limit 100;

-- case: tpcds-q06
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select a.ca_state state, count(*) cnt
from customer_address a, customer c, store_sales s, date_dim d, item i
where a.ca_address_sk = c.c_current_addr_sk
    and c.c_customer_sk = s.ss_customer_sk
    and s.ss_sold_date_sk = d.d_date_sk
    and s.ss_item_sk = i.i_item_sk
    and d.d_month_seq = (select distinct (d_month_seq) from date_dim where d_year = 2001 and d_moy = 1)
    and i.i_current_price > 1.2 * (select avg(j.i_current_price) from item j where j.i_category = i.i_category)
group by a.ca_state
having count(*) >= 10
order by cnt, a.ca_state
limit 100;

-- case: tpcds-q07
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer_demographics, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.promotion, tpcds.sf1.store_sales
select i_item_id, avg(ss_quantity) agg1, avg(ss_list_price) agg2, avg(ss_coupon_amt) agg3, avg(ss_sales_price) agg4
from store_sales, customer_demographics, date_dim, item, promotion
where ss_sold_date_sk = d_date_sk
    and ss_item_sk = i_item_sk
    and ss_cdemo_sk = cd_demo_sk
    and ss_promo_sk = p_promo_sk
    and cd_gender = 'M'
    and cd_marital_status = 'S'
    and cd_education_status = 'College'
    and (p_channel_email = 'N' or p_channel_event = 'N')
    and d_year = 2000
group by i_item_id
order by i_item_id
limit 100;

-- case: tpcds-q11
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.date_dim, tpcds.sf1.store_sales, tpcds.sf1.web_sales
with year_total as (
    select c_customer_id customer_id, c_first_name customer_first_name, c_last_name customer_last_name,
        c_preferred_cust_flag customer_preferred_cust_flag, c_birth_country customer_birth_country,
        c_login customer_login, c_email_address customer_email_address, d_year dyear,
        sum(ss_ext_list_price - ss_ext_discount_amt) year_total, 's' sale_type
    from customer, store_sales, date_dim
    where c_customer_sk = ss_customer_sk and ss_sold_date_sk = d_date_sk
    group by c_customer_id, c_first_name, c_last_name, c_preferred_cust_flag, c_birth_country, c_login, c_email_address, d_year
    union all
    select c_customer_id customer_id, c_first_name customer_first_name, c_last_name customer_last_name,
        c_preferred_cust_flag customer_preferred_cust_flag, c_birth_country customer_birth_country,
        c_login customer_login, c_email_address customer_email_address, d_year dyear,
        sum(ws_ext_list_price - ws_ext_discount_amt) year_total, 'w' sale_type
    from customer, web_sales, date_dim
    where c_customer_sk = ws_bill_customer_sk and ws_sold_date_sk = d_date_sk
    group by c_customer_id, c_first_name, c_last_name, c_preferred_cust_flag, c_birth_country, c_login, c_email_address, d_year
)
select t_s_secyear.customer_id, t_s_secyear.customer_first_name, t_s_secyear.customer_last_name, t_s_secyear.customer_preferred_cust_flag
from year_total t_s_firstyear, year_total t_s_secyear, year_total t_w_firstyear, year_total t_w_secyear
where t_s_secyear.customer_id = t_s_firstyear.customer_id
    and t_s_firstyear.customer_id = t_w_secyear.customer_id
    and t_s_firstyear.customer_id = t_w_firstyear.customer_id
    and t_s_firstyear.sale_type = 's'
    and t_w_firstyear.sale_type = 'w'
    and t_s_secyear.sale_type = 's'
    and t_w_secyear.sale_type = 'w'
    and t_s_firstyear.dyear = 2001
    and t_s_secyear.dyear = 2001 + 1
    and t_w_firstyear.dyear = 2001
    and t_w_secyear.dyear = 2001 + 1
    and t_s_firstyear.year_total > 0
    and t_w_firstyear.year_total > 0
    and case when t_w_firstyear.year_total > 0 then t_w_secyear.year_total / t_w_firstyear.year_total else 0.0 end
        > case when t_s_firstyear.year_total > 0 then t_s_secyear.year_total / t_s_firstyear.year_total else 0.0 end
order by t_s_secyear.customer_id, t_s_secyear.customer_first_name, t_s_secyear.customer_last_name, t_s_secyear.customer_preferred_cust_flag
limit 100;

-- case: tpcds-q12
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.web_sales
select i_item_id, i_item_desc, i_category, i_class, i_current_price,
    sum(ws_ext_sales_price) as itemrevenue,
    sum(ws_ext_sales_price) * 100 / sum(sum(ws_ext_sales_price)) over (partition by i_class) as revenueratio
from web_sales, item, date_dim
where ws_item_sk = i_item_sk
    and i_category in ('Sports', 'Books', 'Home')
    and ws_sold_date_sk = d_date_sk
    and d_date between cast('1999-02-22' as date) and (cast('1999-02-22' as date) + interval '30' day)
group by i_item_id, i_item_desc, i_category, i_class, i_current_price
order by i_category, i_class, i_item_id, i_item_desc, revenueratio
limit 100;

-- case: tpcds-q14a
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales, tpcds.sf1.web_sales
with cross_items as (
    select i_item_sk ss_item_sk
    from item, (
        select iss.i_brand_id brand_id, iss.i_class_id class_id, iss.i_category_id category_id
        from store_sales, item iss, date_dim d1
        where ss_item_sk = iss.i_item_sk and ss_sold_date_sk = d1.d_date_sk and d1.d_year between 1999 and 1999 + 2
        intersect
        select ics.i_brand_id, ics.i_class_id, ics.i_category_id
        from catalog_sales, item ics, date_dim d2
        where cs_item_sk = ics.i_item_sk and cs_sold_date_sk = d2.d_date_sk and d2.d_year between 1999 and 1999 + 2
        intersect
        select iws.i_brand_id, iws.i_class_id, iws.i_category_id
        from web_sales, item iws, date_dim d3
        where ws_item_sk = iws.i_item_sk and ws_sold_date_sk = d3.d_date_sk and d3.d_year between 1999 and 1999 + 2
    ) x
    where i_brand_id = brand_id and i_class_id = class_id and i_category_id = category_id
),
avg_sales as (
    select avg(quantity * list_price) average_sales
    from (
        select ss_quantity quantity, ss_list_price list_price
        from store_sales, date_dim
        where ss_sold_date_sk = d_date_sk and d_year between 1999 and 1999 + 2
        union all
        select cs_quantity quantity, cs_list_price list_price
        from catalog_sales, date_dim
        where cs_sold_date_sk = d_date_sk and d_year between 1999 and 1999 + 2
        union all
        select ws_quantity quantity, ws_list_price list_price
        from web_sales, date_dim
        where ws_sold_date_sk = d_date_sk and d_year between 1999 and 1999 + 2
    ) x
)
select channel, i_brand_id, i_class_id, i_category_id, sum(sales), sum(number_sales)
from (
    select 'store' channel, i_brand_id, i_class_id, i_category_id, sum(ss_quantity * ss_list_price) sales, count(*) number_sales
    from store_sales, item, date_dim
    where ss_item_sk in (select ss_item_sk from cross_items)
        and ss_item_sk = i_item_sk and ss_sold_date_sk = d_date_sk and d_year = 1999 + 2 and d_moy = 11
    group by i_brand_id, i_class_id, i_category_id
    having sum(ss_quantity * ss_list_price) > (select average_sales from avg_sales)
    union all
    select 'catalog' channel, i_brand_id, i_class_id, i_category_id, sum(cs_quantity * cs_list_price) sales, count(*) number_sales
    from catalog_sales, item, date_dim
    where cs_item_sk in (select ss_item_sk from cross_items)
        and cs_item_sk = i_item_sk and cs_sold_date_sk = d_date_sk and d_year = 1999 + 2 and d_moy = 11
    group by i_brand_id, i_class_id, i_category_id
    having sum(cs_quantity * cs_list_price) > (select average_sales from avg_sales)
    union all
    select 'web' channel, i_brand_id, i_class_id, i_category_id, sum(ws_quantity * ws_list_price) sales, count(*) number_sales
    from web_sales, item, date_dim
    where ws_item_sk in (select ss_item_sk from cross_items)
        and ws_item_sk = i_item_sk and ws_sold_date_sk = d_date_sk and d_year = 1999 + 2 and d_moy = 11
    group by i_brand_id, i_class_id, i_category_id
    having sum(ws_quantity * ws_list_price) > (select average_sales from avg_sales)
) y
group by rollup (channel, i_brand_id, i_class_id, i_category_id)
order by channel, i_brand_id, i_class_id, i_category_id
limit 100;

-- case: tpcds-q15
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.customer, tpcds.sf1.customer_address, tpcds.sf1.date_dim
select ca_zip, sum(cs_sales_price)
from catalog_sales, customer, customer_address, date_dim
where cs_bill_customer_sk = c_customer_sk
    and c_current_addr_sk = ca_address_sk
    and (substr(ca_zip, 1, 5) in ('85669', '86197', '88274', '83405', '86475', '85392', '85460', '80348', '81792')
        or ca_state in ('CA', 'WA', 'GA')
        or cs_sales_price > 500)
    and cs_sold_date_sk = d_date_sk
    and d_qoy = 2 and d_year = 2001
group by ca_zip
order by ca_zip
limit 100;

-- case: tpcds-q19
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store, tpcds.sf1.store_sales
select i_brand_id brand_id, i_brand brand, i_manufact_id, i_manufact, sum(ss_ext_sales_price) ext_price
from date_dim, store_sales, item, customer, customer_address, store
where d_date_sk = ss_sold_date_sk
    and ss_item_sk = i_item_sk
    and i_manager_id = 8
    and d_moy = 11
    and d_year = 1998
    and ss_customer_sk = c_customer_sk
    and c_current_addr_sk = ca_address_sk
    and substr(ca_zip, 1, 5) <> substr(s_zip, 1, 5)
    and ss_store_sk = s_store_sk
group by i_brand, i_brand_id, i_manufact_id, i_manufact
order by ext_price desc, i_brand, i_brand_id, i_manufact_id, i_manufact
limit 100;

-- case: tpcds-q20
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item
select i_item_id, i_item_desc, i_category, i_class, i_current_price,
    sum(cs_ext_sales_price) as itemrevenue,
    sum(cs_ext_sales_price) * 100 / sum(sum(cs_ext_sales_price)) over (partition by i_class) as revenueratio
from catalog_sales, item, date_dim
where cs_item_sk = i_item_sk
    and i_category in ('Sports', 'Books', 'Home')
    and cs_sold_date_sk = d_date_sk
    and d_date between cast('1999-02-22' as date) and (cast('1999-02-22' as date) + interval '30' day)
group by i_item_id, i_item_desc, i_category, i_class, i_current_price
order by i_category, i_class, i_item_id, i_item_desc, revenueratio
limit 100;

-- case: tpcds-q25
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store, tpcds.sf1.store_returns, tpcds.sf1.store_sales
select i_item_id, i_item_desc, s_store_id, s_store_name,
    sum(ss_net_profit) as store_sales_profit,
    sum(sr_net_loss) as store_returns_loss,
    sum(cs_net_profit) as catalog_sales_profit
from store_sales, store_returns, catalog_sales, date_dim d1, date_dim d2, date_dim d3, store, item
where d1.d_moy = 4
    and d1.d_year = 2001
    and d1.d_date_sk = ss_sold_date_sk
    and i_item_sk = ss_item_sk
    and s_store_sk = ss_store_sk
    and ss_customer_sk = sr_customer_sk
    and ss_item_sk = sr_item_sk
    and ss_ticket_number = sr_ticket_number
    and sr_returned_date_sk = d2.d_date_sk
    and d2.d_moy between 4 and 10
    and d2.d_year = 2001
    and sr_customer_sk = cs_bill_customer_sk
    and sr_item_sk = cs_item_sk
    and cs_sold_date_sk = d3.d_date_sk
    and d3.d_moy between 4 and 10
    and d3.d_year = 2001
group by i_item_id, i_item_desc, s_store_id, s_store_name
order by i_item_id, i_item_desc, s_store_id, s_store_name
limit 100;

-- case: tpcds-q26
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.customer_demographics, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.promotion
select i_item_id, avg(cs_quantity) agg1, avg(cs_list_price) agg2, avg(cs_coupon_amt) agg3, avg(cs_sales_price) agg4
from catalog_sales, customer_demographics, date_dim, item, promotion
where cs_sold_date_sk = d_date_sk
    and cs_item_sk = i_item_sk
    and cs_bill_cdemo_sk = cd_demo_sk
    and cs_promo_sk = p_promo_sk
    and cd_gender = 'M'
    and cd_marital_status = 'S'
    and cd_education_status = 'College'
    and (p_channel_email = 'N' or p_channel_event = 'N')
    and d_year = 2000
group by i_item_id
order by i_item_id
limit 100;

-- case: tpcds-q27
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer_demographics, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store, tpcds.sf1.store_sales
select i_item_id, s_state, grouping(s_state) g_state,
    avg(ss_quantity) agg1, avg(ss_list_price) agg2, avg(ss_coupon_amt) agg3, avg(ss_sales_price) agg4
from store_sales, customer_demographics, date_dim, store, item
where ss_sold_date_sk = d_date_sk
    and ss_item_sk = i_item_sk
    and ss_store_sk = s_store_sk
    and ss_cdemo_sk = cd_demo_sk
    and cd_gender = 'M'
    and cd_marital_status = 'S'
    and cd_education_status = 'College'
    and d_year = 2002
    and s_state in ('TN', 'TN', 'TN', 'TN', 'TN', 'TN')
group by rollup (i_item_id, s_state)
order by i_item_id, s_state
limit 100;

-- case: tpcds-q29
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store, tpcds.sf1.store_returns, tpcds.sf1.store_sales
select i_item_id, i_item_desc, s_store_id, s_store_name,
    sum(ss_quantity) as store_sales_quantity,
    sum(sr_return_quantity) as store_returns_quantity,
    sum(cs_quantity) as catalog_sales_quantity
from store_sales, store_returns, catalog_sales, date_dim d1, date_dim d2, date_dim d3, store, item
where d1.d_moy = 9
    and d1.d_year = 1999
    and d1.d_date_sk = ss_sold_date_sk
    and i_item_sk = ss_item_sk
    and s_store_sk = ss_store_sk
    and ss_customer_sk = sr_customer_sk
    and ss_item_sk = sr_item_sk
    and ss_ticket_number = sr_ticket_number
    and sr_returned_date_sk = d2.d_date_sk
    and d2.d_moy between 9 and 9 + 3
    and d2.d_year = 1999
    and sr_customer_sk = cs_bill_customer_sk
    and sr_item_sk = cs_item_sk
    and cs_sold_date_sk = d3.d_date_sk
    and d3.d_year in (1999, 1999 + 1, 1999 + 2)
group by i_item_id, i_item_desc, s_store_id, s_store_name
order by i_item_id, i_item_desc, s_store_id, s_store_name
limit 100;

-- case: tpcds-q32
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item
select sum(cs_ext_discount_amt) as "excess discount amount"
from catalog_sales, item, date_dim
where i_manufact_id = 977
    and i_item_sk = cs_item_sk
    and d_date between cast('2000-01-27' as date) and (cast('2000-01-27' as date) + interval '90' day)
    and d_date_sk = cs_sold_date_sk
    and cs_ext_discount_amt > (
        select 1.3 * avg(cs_ext_discount_amt)
        from catalog_sales, date_dim
        where cs_item_sk = i_item_sk
            and d_date between cast('2000-01-27' as date) and (cast('2000-01-27' as date) + interval '90' day)
            and d_date_sk = cs_sold_date_sk
    )
limit 100;

-- case: tpcds-q33
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales, tpcds.sf1.web_sales
with ss as (
    select i_manufact_id, sum(ss_ext_sales_price) total_sales
    from store_sales, date_dim, customer_address, item
    where i_manufact_id in (select i_manufact_id from item where i_category in ('Electronics'))
        and ss_item_sk = i_item_sk and ss_sold_date_sk = d_date_sk and d_year = 1998 and d_moy = 5
        and ss_addr_sk = ca_address_sk and ca_gmt_offset = -5
    group by i_manufact_id
),
cs as (
    select i_manufact_id, sum(cs_ext_sales_price) total_sales
    from catalog_sales, date_dim, customer_address, item
    where i_manufact_id in (select i_manufact_id from item where i_category in ('Electronics'))
        and cs_item_sk = i_item_sk and cs_sold_date_sk = d_date_sk and d_year = 1998 and d_moy = 5
        and cs_bill_addr_sk = ca_address_sk and ca_gmt_offset = -5
    group by i_manufact_id
),
ws as (
    select i_manufact_id, sum(ws_ext_sales_price) total_sales
    from web_sales, date_dim, customer_address, item
    where i_manufact_id in (select i_manufact_id from item where i_category in ('Electronics'))
        and ws_item_sk = i_item_sk and ws_sold_date_sk = d_date_sk and d_year = 1998 and d_moy = 5
        and ws_bill_addr_sk = ca_address_sk and ca_gmt_offset = -5
    group by i_manufact_id
)
select i_manufact_id, sum(total_sales) total_sales
from (select * from ss union all select * from cs union all select * from ws) tmp1
group by i_manufact_id
order by total_sales
limit 100;

-- case: tpcds-q37
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.inventory, tpcds.sf1.item
select i_item_id, i_item_desc, i_current_price
from item, inventory, date_dim, catalog_sales
where i_current_price between 68 and 68 + 30
    and inv_item_sk = i_item_sk
    and d_date_sk = inv_date_sk
    and d_date between cast('2000-02-01' as date) and (cast('2000-02-01' as date) + interval '60' day)
    and i_manufact_id in (677, 940, 694, 808)
    and inv_quantity_on_hand between 100 and 500
    and cs_item_sk = i_item_sk
group by i_item_id, i_item_desc, i_current_price
order by i_item_id
limit 100;

-- case: tpcds-q40
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_returns, tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.warehouse
select w_state, i_item_id,
    sum(case when (cast(d_date as date) < cast('2000-03-11' as date)) then cs_sales_price - coalesce(cr_refunded_cash, 0) else 0 end) as sales_before,
    sum(case when (cast(d_date as date) >= cast('2000-03-11' as date)) then cs_sales_price - coalesce(cr_refunded_cash, 0) else 0 end) as sales_after
from catalog_sales
    left outer join catalog_returns on (cs_order_number = cr_order_number and cs_item_sk = cr_item_sk),
    warehouse, item, date_dim
where i_current_price between 0.99 and 1.49
    and i_item_sk = cs_item_sk
    and cs_warehouse_sk = w_warehouse_sk
    and cs_sold_date_sk = d_date_sk
    and d_date between (cast('2000-03-11' as date) - interval '30' day) and (cast('2000-03-11' as date) + interval '30' day)
group by w_state, i_item_id
order by w_state, i_item_id
limit 100;

-- case: tpcds-q42
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select dt.d_year, item.i_category_id, item.i_category, sum(ss_ext_sales_price)
from date_dim dt, store_sales, item
where dt.d_date_sk = store_sales.ss_sold_date_sk
    and store_sales.ss_item_sk = item.i_item_sk
    and item.i_manager_id = 1
    and dt.d_moy = 11
    and dt.d_year = 2000
group by dt.d_year, item.i_category_id, item.i_category
order by sum(ss_ext_sales_price) desc, dt.d_year, item.i_category_id, item.i_category
limit 100;

-- case: tpcds-q43
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.store, tpcds.sf1.store_sales
select s_store_name, s_store_id,
    sum(case when (d_day_name = 'Sunday') then ss_sales_price else null end) sun_sales,
    sum(case when (d_day_name = 'Monday') then ss_sales_price else null end) mon_sales,
    sum(case when (d_day_name = 'Tuesday') then ss_sales_price else null end) tue_sales,
    sum(case when (d_day_name = 'Wednesday') then ss_sales_price else null end) wed_sales,
    sum(case when (d_day_name = 'Thursday') then ss_sales_price else null end) thu_sales,
    sum(case when (d_day_name = 'Friday') then ss_sales_price else null end) fri_sales,
    sum(case when (d_day_name = 'Saturday') then ss_sales_price else null end) sat_sales
from date_dim, store_sales, store
where d_date_sk = ss_sold_date_sk
    and s_store_sk = ss_store_sk
    and s_gmt_offset = -5
    and d_year = 2000
group by s_store_name, s_store_id
order by s_store_name, s_store_id, sun_sales, mon_sales, tue_sales, wed_sales, thu_sales, fri_sales, sat_sales
limit 100;

-- case: tpcds-q46
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.household_demographics, tpcds.sf1.store, tpcds.sf1.store_sales
select c_last_name, c_first_name, ca_city, bought_city, ss_ticket_number, amt, profit
from (
    select ss_ticket_number, ss_customer_sk, ca_city bought_city, sum(ss_coupon_amt) amt, sum(ss_net_profit) profit
    from store_sales, date_dim, store, household_demographics, customer_address
    where store_sales.ss_sold_date_sk = date_dim.d_date_sk
        and store_sales.ss_store_sk = store.s_store_sk
        and store_sales.ss_hdemo_sk = household_demographics.hd_demo_sk
        and store_sales.ss_addr_sk = customer_address.ca_address_sk
        and (household_demographics.hd_dep_count = 4 or household_demographics.hd_vehicle_count = 3)
        and date_dim.d_dow in (6, 0)
        and date_dim.d_year in (1999, 1999 + 1, 1999 + 2)
        and store.s_city in ('Fairview', 'Midway', 'Fairview', 'Fairview', 'Fairview')
    group by ss_ticket_number, ss_customer_sk, ss_addr_sk, ca_city
) dn, customer, customer_address current_addr
where ss_customer_sk = c_customer_sk
    and customer.c_current_addr_sk = current_addr.ca_address_sk
    and current_addr.ca_city <> bought_city
order by c_last_name, c_first_name, ca_city, bought_city, ss_ticket_number
limit 100;

-- case: tpcds-q48
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer_address, tpcds.sf1.customer_demographics, tpcds.sf1.date_dim, tpcds.sf1.store, tpcds.sf1.store_sales
select sum(ss_quantity)
from store_sales, store, customer_demographics, customer_address, date_dim
where s_store_sk = ss_store_sk
    and ss_sold_date_sk = d_date_sk
    and d_year = 2000
    and (
        (cd_demo_sk = ss_cdemo_sk and cd_marital_status = 'M' and cd_education_status = '4 yr Degree' and ss_sales_price between 100.00 and 150.00)
        or (cd_demo_sk = ss_cdemo_sk and cd_marital_status = 'D' and cd_education_status = '2 yr Degree' and ss_sales_price between 50.00 and 100.00)
        or (cd_demo_sk = ss_cdemo_sk and cd_marital_status = 'S' and cd_education_status = 'College' and ss_sales_price between 150.00 and 200.00)
    )
    and (
        (ss_addr_sk = ca_address_sk and ca_country = 'United States' and ca_state in ('CO', 'OH', 'TX') and ss_net_profit between 0 and 2000)
        or (ss_addr_sk = ca_address_sk and ca_country = 'United States' and ca_state in ('OR', 'MN', 'KY') and ss_net_profit between 150 and 3000)
        or (ss_addr_sk = ca_address_sk and ca_country = 'United States' and ca_state in ('VA', 'CA', 'MS') and ss_net_profit between 50 and 25000)
    );

-- case: tpcds-q52
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select dt.d_year, item.i_brand_id brand_id, item.i_brand brand, sum(ss_ext_sales_price) ext_price
from date_dim dt, store_sales, item
where dt.d_date_sk = store_sales.ss_sold_date_sk
    and store_sales.ss_item_sk = item.i_item_sk
    and item.i_manager_id = 1
    and dt.d_moy = 11
    and dt.d_year = 2000
group by dt.d_year, item.i_brand, item.i_brand_id
order by dt.d_year, ext_price desc, brand_id
limit 100;

-- case: tpcds-q55
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select i_brand_id brand_id, i_brand brand, sum(ss_ext_sales_price) ext_price
from date_dim, store_sales, item
where d_date_sk = ss_sold_date_sk
    and ss_item_sk = i_item_sk
    and i_manager_id = 28
    and d_moy = 11
    and d_year = 1999
group by i_brand, i_brand_id
order by ext_price desc, i_brand_id
limit 100;

-- case: tpcds-q62
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.ship_mode, tpcds.sf1.warehouse, tpcds.sf1.web_sales, tpcds.sf1.web_site
select substr(w_warehouse_name, 1, 20), sm_type, web_name,
    sum(case when (ws_ship_date_sk - ws_sold_date_sk <= 30) then 1 else 0 end) as "30 days",
    sum(case when (ws_ship_date_sk - ws_sold_date_sk > 30) and (ws_ship_date_sk - ws_sold_date_sk <= 60) then 1 else 0 end) as "31-60 days",
    sum(case when (ws_ship_date_sk - ws_sold_date_sk > 60) and (ws_ship_date_sk - ws_sold_date_sk <= 90) then 1 else 0 end) as "61-90 days",
    sum(case when (ws_ship_date_sk - ws_sold_date_sk > 90) and (ws_ship_date_sk - ws_sold_date_sk <= 120) then 1 else 0 end) as "91-120 days",
    sum(case when (ws_ship_date_sk - ws_sold_date_sk > 120) then 1 else 0 end) as ">120 days"
from web_sales, warehouse, ship_mode, web_site, date_dim
where d_month_seq between 1200 and 1200 + 11
    and ws_ship_date_sk = d_date_sk
    and ws_warehouse_sk = w_warehouse_sk
    and ws_ship_mode_sk = sm_ship_mode_sk
    and ws_web_site_sk = web_site_sk
group by substr(w_warehouse_name, 1, 20), sm_type, web_name
order by substr(w_warehouse_name, 1, 20), sm_type, web_name
limit 100;

-- case: tpcds-q68
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.household_demographics, tpcds.sf1.store, tpcds.sf1.store_sales
select c_last_name, c_first_name, ca_city, bought_city, ss_ticket_number, extended_price, extended_tax, list_price
from (
    select ss_ticket_number, ss_customer_sk, ca_city bought_city,
        sum(ss_ext_sales_price) extended_price, sum(ss_ext_list_price) list_price, sum(ss_ext_tax) extended_tax
    from store_sales, date_dim, store, household_demographics, customer_address
    where store_sales.ss_sold_date_sk = date_dim.d_date_sk
        and store_sales.ss_store_sk = store.s_store_sk
        and store_sales.ss_hdemo_sk = household_demographics.hd_demo_sk
        and store_sales.ss_addr_sk = customer_address.ca_address_sk
        and date_dim.d_dom between 1 and 2
        and (household_demographics.hd_dep_count = 4 or household_demographics.hd_vehicle_count = 3)
        and date_dim.d_year in (1999, 1999 + 1, 1999 + 2)
        and store.s_city in ('Fairview', 'Midway')
    group by ss_ticket_number, ss_customer_sk, ss_addr_sk, ca_city
) dn, customer, customer_address current_addr
where ss_customer_sk = c_customer_sk
    and customer.c_current_addr_sk = current_addr.ca_address_sk
    and current_addr.ca_city <> bought_city
order by c_last_name, ss_ticket_number
limit 100;

-- case: tpcds-q71
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales, tpcds.sf1.time_dim, tpcds.sf1.web_sales
select i_brand_id brand_id, i_brand brand, t_hour, t_minute, sum(ext_price) ext_price
from item, (
    select ws_ext_sales_price as ext_price, ws_sold_date_sk as sold_date_sk, ws_item_sk as sold_item_sk, ws_sold_time_sk as time_sk
    from web_sales, date_dim
    where d_date_sk = ws_sold_date_sk and d_moy = 11 and d_year = 1999
    union all
    select cs_ext_sales_price as ext_price, cs_sold_date_sk as sold_date_sk, cs_item_sk as sold_item_sk, cs_sold_time_sk as time_sk
    from catalog_sales, date_dim
    where d_date_sk = cs_sold_date_sk and d_moy = 11 and d_year = 1999
    union all
    select ss_ext_sales_price as ext_price, ss_sold_date_sk as sold_date_sk, ss_item_sk as sold_item_sk, ss_sold_time_sk as time_sk
    from store_sales, date_dim
    where d_date_sk = ss_sold_date_sk and d_moy = 11 and d_year = 1999
) tmp, time_dim
where sold_item_sk = i_item_sk
    and i_manager_id = 1
    and time_sk = t_time_sk
    and (t_meal_time = 'breakfast' or t_meal_time = 'dinner')
group by i_brand, i_brand_id, t_hour, t_minute
order by ext_price desc, i_brand_id;

-- case: tpcds-q79
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer, tpcds.sf1.date_dim, tpcds.sf1.household_demographics, tpcds.sf1.store, tpcds.sf1.store_sales
select c_last_name, c_first_name, substr(s_city, 1, 30), ss_ticket_number, amt, profit
from (
    select ss_ticket_number, ss_customer_sk, store.s_city, sum(ss_coupon_amt) amt, sum(ss_net_profit) profit
    from store_sales, date_dim, store, household_demographics
    where store_sales.ss_sold_date_sk = date_dim.d_date_sk
        and store_sales.ss_store_sk = store.s_store_sk
        and store_sales.ss_hdemo_sk = household_demographics.hd_demo_sk
        and (household_demographics.hd_dep_count = 6 or household_demographics.hd_vehicle_count > 2)
        and date_dim.d_dow = 1
        and date_dim.d_year in (1999, 1999 + 1, 1999 + 2)
        and store.s_number_employees between 200 and 295
    group by ss_ticket_number, ss_customer_sk, ss_addr_sk, store.s_city
) ms, customer
where ss_customer_sk = c_customer_sk
order by c_last_name, c_first_name, substr(s_city, 1, 30), profit
limit 100;

-- case: tpcds-q82
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.inventory, tpcds.sf1.item, tpcds.sf1.store_sales
select i_item_id, i_item_desc, i_current_price
from item, inventory, date_dim, store_sales
where i_current_price between 62 and 62 + 30
    and inv_item_sk = i_item_sk
    and d_date_sk = inv_date_sk
    and d_date between cast('2000-05-25' as date) and (cast('2000-05-25' as date) + interval '60' day)
    and i_manufact_id in (129, 270, 821, 423)
    and inv_quantity_on_hand between 100 and 500
    and ss_item_sk = i_item_sk
group by i_item_id, i_item_desc, i_current_price
order by i_item_id
limit 100;

-- case: tpcds-q90
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.household_demographics, tpcds.sf1.time_dim, tpcds.sf1.web_page, tpcds.sf1.web_sales
select cast(amc as decimal(15, 4)) / cast(pmc as decimal(15, 4)) am_pm_ratio
from (
    select count(*) amc
    from web_sales, household_demographics, time_dim, web_page
    where ws_sold_time_sk = time_dim.t_time_sk
        and ws_ship_hdemo_sk = household_demographics.hd_demo_sk
        and ws_web_page_sk = web_page.wp_web_page_sk
        and time_dim.t_hour between 8 and 8 + 1
        and household_demographics.hd_dep_count = 6
        and web_page.wp_char_count between 5000 and 5200
) at, (
    select count(*) pmc
    from web_sales, household_demographics, time_dim, web_page
    where ws_sold_time_sk = time_dim.t_time_sk
        and ws_ship_hdemo_sk = household_demographics.hd_demo_sk
        and ws_web_page_sk = web_page.wp_web_page_sk
        and time_dim.t_hour between 19 and 19 + 1
        and household_demographics.hd_dep_count = 6
        and web_page.wp_char_count between 5000 and 5200
) pt
order by am_pm_ratio
limit 100;

-- case: tpcds-q92
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.web_sales
select sum(ws_ext_discount_amt) as "Excess Discount Amount"
from web_sales, item, date_dim
where i_manufact_id = 350
    and i_item_sk = ws_item_sk
    and d_date between cast('2000-01-27' as date) and (cast('2000-01-27' as date) + interval '90' day)
    and d_date_sk = ws_sold_date_sk
    and ws_ext_discount_amt > (
        select 1.3 * avg(ws_ext_discount_amt)
        from web_sales, date_dim
        where ws_item_sk = i_item_sk
            and d_date between cast('2000-01-27' as date) and (cast('2000-01-27' as date) + interval '90' day)
            and d_date_sk = ws_sold_date_sk
    )
order by sum(ws_ext_discount_amt)
limit 100;

-- case: tpcds-q94
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.customer_address, tpcds.sf1.date_dim, tpcds.sf1.web_returns, tpcds.sf1.web_sales, tpcds.sf1.web_site
select count(distinct ws_order_number) as "order count",
    sum(ws_ext_ship_cost) as "total shipping cost",
    sum(ws_net_profit) as "total net profit"
from web_sales ws1, date_dim, customer_address, web_site
where d_date between cast('1999-02-01' as date) and (cast('1999-02-01' as date) + interval '60' day)
    and ws1.ws_ship_date_sk = d_date_sk
    and ws1.ws_ship_addr_sk = ca_address_sk
    and ca_state = 'IL'
    and ws1.ws_web_site_sk = web_site_sk
    and web_company_name = 'pri'
    and exists (
        select * from web_sales ws2
        where ws1.ws_order_number = ws2.ws_order_number and ws1.ws_warehouse_sk <> ws2.ws_warehouse_sk
    )
    and not exists (select * from web_returns wr1 where ws1.ws_order_number = wr1.wr_order_number)
order by count(distinct ws_order_number)
limit 100;

-- case: tpcds-q96
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.household_demographics, tpcds.sf1.store, tpcds.sf1.store_sales, tpcds.sf1.time_dim
select count(*)
from store_sales, household_demographics, time_dim, store
where ss_sold_time_sk = time_dim.t_time_sk
    and ss_hdemo_sk = household_demographics.hd_demo_sk
    and ss_store_sk = s_store_sk
    and time_dim.t_hour = 20
    and time_dim.t_minute >= 30
    and household_demographics.hd_dep_count = 7
    and store.s_store_name = 'ese'
order by count(*)
limit 100;

-- case: tpcds-q98
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.date_dim, tpcds.sf1.item, tpcds.sf1.store_sales
select i_item_id, i_item_desc, i_category, i_class, i_current_price,
    sum(ss_ext_sales_price) as itemrevenue,
    sum(ss_ext_sales_price) * 100 / sum(sum(ss_ext_sales_price)) over (partition by i_class) as revenueratio
from store_sales, item, date_dim
where ss_item_sk = i_item_sk
    and i_category in ('Sports', 'Books', 'Home')
    and ss_sold_date_sk = d_date_sk
    and d_date between cast('1999-02-22' as date) and (cast('1999-02-22' as date) + interval '30' day)
group by i_item_id, i_item_desc, i_category, i_class, i_current_price
order by i_category, i_class, i_item_id, i_item_desc, revenueratio;

-- case: tpcds-q99
-- session: tpcds.sf1
-- statement: Query
-- queryType: SELECT
-- tables: tpcds.sf1.call_center, tpcds.sf1.catalog_sales, tpcds.sf1.date_dim, tpcds.sf1.ship_mode, tpcds.sf1.warehouse
select substr(w_warehouse_name, 1, 20), sm_type, cc_name,
    sum(case when (cs_ship_date_sk - cs_sold_date_sk <= 30) then 1 else 0 end) as "30 days",
    sum(case when (cs_ship_date_sk - cs_sold_date_sk > 30) and (cs_ship_date_sk - cs_sold_date_sk <= 60) then 1 else 0 end) as "31-60 days",
    sum(case when (cs_ship_date_sk - cs_sold_date_sk > 60) and (cs_ship_date_sk - cs_sold_date_sk <= 90) then 1 else 0 end) as "61-90 days",
    sum(case when (cs_ship_date_sk - cs_sold_date_sk > 90) and (cs_ship_date_sk - cs_sold_date_sk <= 120) then 1 else 0 end) as "91-120 days",
    sum(case when (cs_ship_date_sk - cs_sold_date_sk > 120) then 1 else 0 end) as ">120 days"
from catalog_sales, warehouse, ship_mode, call_center, date_dim
where d_month_seq between 1200 and 1200 + 11
    and cs_ship_date_sk = d_date_sk
    and cs_warehouse_sk = w_warehouse_sk
    and cs_ship_mode_sk = sm_ship_mode_sk
    and cs_call_center_sk = cc_call_center_sk
group by substr(w_warehouse_name, 1, 20), sm_type, cc_name
order by substr(w_warehouse_name, 1, 20), sm_type, cc_name
limit 100;
