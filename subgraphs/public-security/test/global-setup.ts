import { departmentTestTemplate } from '@hub/demo/testing';
import { descriptor } from '../src/descriptor.ts';

export default departmentTestTemplate(descriptor);
