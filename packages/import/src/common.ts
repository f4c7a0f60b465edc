import { idNumberField, textField } from './fields.ts';

/** Column names shared by every department's files. */
export const idNumber = () =>
  idNumberField('idNumber', {
    headers: ['公民身份号码', '身份证号', '身份证号码', '身份证', '证件号码', '证件号', 'id number', 'id no', 'citizen id', 'identity number'],
    required: true,
  });

export const address = (required: boolean, headers: readonly string[]) =>
  textField('address', { headers: [...headers, '地址', '详细地址', 'address'], required, maxLength: 200, personal: 'address' });

export const GRID_HEADERS = ['网格编码', '网格代码', '所属网格', '网格', '所属网格编码', 'grid code', 'grid'] as const;
