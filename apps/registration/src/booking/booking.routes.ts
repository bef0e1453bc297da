import { authenticate, principalOf, requireRole, requireScopedRole, type Verifier } from '@jab/auth';
import {
  appointmentList,
  appointmentParams,
  appointmentView,
  bookAppointmentRequest,
  centerAppointmentList,
  centerAppointmentsQuery,
  centerParams,
  checkInRequest,
  idempotencyKey,
  rescheduleRequest,
} from '@jab/contracts';
import { BadRequest, parsed, validate, type ApiRoute } from '@jab/http';
import { Router } from 'express';
import { optionalAccessReasonOf } from '../audit/audit.js';
import {
  bookAppointment,
  cancelAppointment,
  checkIn,
  getAppointment,
  listCenterAppointments,
  listHouseholdAppointments,
  registerWalkIn,
  rescheduleAppointment,
  type BookingDeps,
} from './booking.service.js';

const STAFF = ['staff', 'center-admin', 'national-admin'] as const;
const centerDay = { params: centerParams, query: centerAppointmentsQuery };

function idempotencyKeyOf(header: string | undefined): string | undefined {
  const result = idempotencyKey.safeParse(header);
  if (!result.success)
    throw new BadRequest('The request is invalid.', {
      errors: result.error.issues.map((i) => ({ path: 'header.idempotency-key', message: i.message })),
    });
  return result.data;
}

export function bookingRouter(deps: BookingDeps & { verifier: Verifier }): Router {
  const router = Router();
  const auth = authenticate(deps.verifier);

  const book = { body: bookAppointmentRequest };
  router.post('/appointments', auth, requireRole('citizen'), validate(book), async (req, res) => {
    const key = idempotencyKeyOf(req.get('idempotency-key'));
    const { appointment, replayed, availabilityVersion } = await bookAppointment(deps, principalOf(req), parsed(req, book).body, key);
    if (replayed) res.set('Idempotent-Replayed', 'true');
    // The slot's center-day as this booking left it: an availability answer or stream event at least this new shows it.
    if (availabilityVersion !== null) res.set('Availability-Version', String(availabilityVersion));
    res.status(201).location(`appointments/${appointment.id}`).json(appointment);
  });
  router.get('/appointments', auth, requireRole('citizen'), async (req, res) => {
    res.json({ items: await listHouseholdAppointments(deps.readPool, principalOf(req)) });
  });
  const one = { params: appointmentParams };
  router.get('/appointments/:appointmentId', auth, validate(one), async (req, res) => {
    res.json(await getAppointment(deps.pool, principalOf(req), parsed(req, one).params.appointmentId));
  });
  router.post('/appointments/:appointmentId/cancel', auth, validate(one), async (req, res) => {
    res.json(await cancelAppointment(deps, principalOf(req), parsed(req, one).params.appointmentId));
  });
  const move = { params: appointmentParams, body: rescheduleRequest };
  router.post('/appointments/:appointmentId/reschedule', auth, validate(move), async (req, res) => {
    const { params, body } = parsed(req, move);
    res.json(await rescheduleAppointment(deps, principalOf(req), params.appointmentId, body.slotId));
  });

  router.post('/walk-ins', auth, requireScopedRole(...STAFF), validate(book), async (req, res) => {
    res.status(201).json(await registerWalkIn(deps, principalOf(req), parsed(req, book).body, optionalAccessReasonOf(req)));
  });
  const checkin = { body: checkInRequest };
  router.post('/check-ins', auth, requireScopedRole(...STAFF), validate(checkin), async (req, res) => {
    res.json(await checkIn(deps.pool, principalOf(req), parsed(req, checkin).body.appointmentCode));
  });
  router.get('/centers/:centerId/appointments', auth, requireScopedRole(...STAFF), validate(centerDay), async (req, res) => {
    const { params, query } = parsed(req, centerDay);
    res.json(await listCenterAppointments(deps, principalOf(req), params.centerId, query, optionalAccessReasonOf(req)));
  });
  return router;
}

export const bookingRoutes: ApiRoute[] = [
  {
    method: 'post',
    path: '/appointments',
    summary: 'Book a slot for a person of your household (citizen); send an Idempotency-Key header to retry safely',
    tags: ['booking'],
    request: { body: bookAppointmentRequest },
    responses: {
      201: {
        description:
          "Booked (or the replay of the first response for the same Idempotency-Key); a new booking's Availability-Version header names the version of the slot's center-day it made",
        schema: appointmentView,
      },
      404: { description: 'No such person in your household, or no such slot' },
      409: { description: 'The slot is full, or the person already holds a booking for this dose' },
      422: { description: 'Not eligible (age, campaign, interval since the previous dose), or the key was used with another body' },
    },
  },
  {
    method: 'get',
    path: '/appointments',
    summary: "Your household's appointments (citizen)",
    tags: ['booking'],
    responses: { 200: { description: 'Appointments', schema: appointmentList } },
  },
  {
    method: 'get',
    path: '/appointments/:appointmentId',
    summary: 'One appointment (its citizen, or staff of its center)',
    tags: ['booking'],
    request: { params: appointmentParams },
    responses: { 200: { description: 'The appointment', schema: appointmentView }, 404: { description: 'No such appointment' } },
  },
  {
    method: 'post',
    path: '/appointments/:appointmentId/cancel',
    summary: 'Cancel and free the seat (its citizen, or staff of its center)',
    tags: ['booking'],
    request: { params: appointmentParams },
    responses: { 200: { description: 'Cancelled', schema: appointmentView }, 409: { description: 'Not in a cancellable state' } },
  },
  {
    method: 'post',
    path: '/appointments/:appointmentId/reschedule',
    summary: 'Move to another slot atomically (its citizen, or staff of both centers)',
    tags: ['booking'],
    request: { params: appointmentParams, body: rescheduleRequest },
    responses: {
      200: { description: 'Moved', schema: appointmentView },
      409: { description: 'The new slot is full (nothing changed), or the appointment is not booked' },
      422: { description: 'Not eligible for the new slot' },
    },
  },
  {
    method: 'post',
    path: '/walk-ins',
    summary: "Register a walk-in against the slot's walk-in quota, checked in at once (staff of the center)",
    tags: ['at the center'],
    request: { body: bookAppointmentRequest },
    responses: { 201: { description: 'Registered and checked in', schema: appointmentView }, 409: { description: 'Walk-in quota used up' } },
  },
  {
    method: 'post',
    path: '/check-ins',
    summary: 'Check a person in by their appointment code (staff of the center)',
    tags: ['at the center'],
    request: { body: checkInRequest },
    responses: {
      200: { description: 'Checked in', schema: appointmentView },
      403: { description: 'Not your center' },
      404: { description: 'Unknown code' },
      409: { description: 'Already checked in, completed or cancelled' },
    },
  },
  {
    method: 'get',
    path: '/centers/:centerId/appointments',
    summary:
      "A center's appointments on one local day, paged (staff of the center, center admins of it or its region, national admins). Vaccinators see full names; admins see initials unless they give a reason (X-Access-Reason or ?reason=). Every person listed is written to the access log",
    tags: ['at the center'],
    request: centerDay,
    responses: {
      200: { description: 'The page of appointments', schema: centerAppointmentList },
      403: { description: 'Not your center' },
      404: { description: 'No such center' },
    },
  },
];
