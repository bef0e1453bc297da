import { services } from '@jab/topology';
import express from 'express';
console.log(services.registration.port, typeof express);
