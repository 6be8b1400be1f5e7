"""Transaction electronic information (SAFE 汇发〔2019〕13号/28号): receipts and payments reported
by banks and payment institutions, matched to declared goods."""
