//! Anonymous surveys (issue 20 contract §6): a survey AU's answers are stored apart from
//! the learner, checked against the AU's own page, and reported only in aggregate.

pub mod answers;
pub mod api;
pub mod catalog;
pub mod form;
pub mod html;
pub mod report;
pub mod respondent;
pub mod store;
