/**
 * The delivery area's face: what other areas and the CLI may import.
 */
export type { ConfirmedOrder, ConfirmedAddress, ConfirmedPerson, LisConnection } from './order.ts';
export { buildOrderMessage, OrderMessageError, imagePointer, parseImagePointer, placerNumberForTest, OBSERVATION_CODES } from './hl7/order-message.ts';
export { parseHl7, parseHl7Bytes, header, value, segmentsNamed, firstSegment } from './hl7/parse.ts';
export type { Hl7Message, Hl7Segment, ParseResult, ParseProblem } from './hl7/parse.ts';
export { readAck, lisOrderNumber } from './hl7/ack.ts';
export type { Ack, AckCode, AckVerdict, LisOrder } from './hl7/ack.ts';
export { MllpClient, sendWithRetry } from './mllp/client.ts';
export type { AttemptOutcome, MllpEndpoint, UnmatchedFrame } from './mllp/client.ts';
export { receivedLine, startLisSimulator } from './lis-sim/simulator.ts';
export type { LisSimulator, LisSimulatorOptions, Behaviour, ReceivedSummary } from './lis-sim/simulator.ts';
export { runLisSimCli, LIS_SIM_USAGE } from './lis-sim/cli.ts';
export { createDeliveryService } from './outbox/service.ts';
export type { DeliveryService } from './outbox/service.ts';
export { DELIVERY_QUEUE, DELIVERY_QUEUE_OPTIONS, allocateControlId, enqueueDelivery } from './outbox/outbox.ts';
export type { DeliveryDeps, RequisitionDeliveryHooks, DeliverySettled, EnqueuedDelivery } from './outbox/outbox.ts';
export { DeliveryDecisionError } from './outbox/decisions.ts';
export { DeliveryWorker } from './outbox/worker.ts';
export type { DeliverySummary, DeliveryEventView } from './outbox/view.ts';
export type { DeliveryTables, DeliveryState } from './tables.ts';
export { deliveryRoutes } from './http/routes.ts';
