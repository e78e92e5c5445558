// learn.html's entry: the course app (home and lesson pages).
import './app';
