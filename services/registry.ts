/** Every built-in controller service type (see server/services/service-contract.ts), in palette order. */
import type { ServiceDefinition } from '../sdk';
import { brokerServices } from './broker-services';
import HttpClient from './http-client';
import JsonSchemaRegistry from './json-schema-registry';

export const builtinServices: ServiceDefinition[] = [...brokerServices, HttpClient, JsonSchemaRegistry];
