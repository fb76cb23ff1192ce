library(testthat)
library(cohortsurv)

test_check("cohortsurv")
