// Words the Customers pages share: identifier types, and UTC times sent without an offset.
import { register, t } from '../i18n.js';

register({
  en: {
    idtype_anonymous_id: 'Anonymous id (cookie)',
    idtype_user_id: 'User id',
    idtype_email: 'E-mail',
    idtype_phone: 'Phone',
    idtype_device_id: 'Device id',
    idtype_zalo_id: 'Zalo id',
    idtype_fb_psid: 'Messenger id',
    idtype_loyalty_id: 'Loyalty card',
  },
  vi: {
    idtype_anonymous_id: 'Mã ẩn danh (cookie)',
    idtype_user_id: 'Mã người dùng',
    idtype_email: 'E-mail',
    idtype_phone: 'Số điện thoại',
    idtype_device_id: 'Mã thiết bị',
    idtype_zalo_id: 'Mã Zalo',
    idtype_fb_psid: 'Mã Messenger',
    idtype_loyalty_id: 'Thẻ thành viên',
  },
});

const TYPES = ['anonymous_id', 'user_id', 'email', 'phone', 'device_id', 'zalo_id', 'fb_psid', 'loyalty_id'];

export function idTypeLabel(type) {
  return TYPES.includes(type) ? t(`idtype_${type}`) : type;
}

/** A stored time the server sends without an offset is UTC: say so before formatting. */
export function utc(text) {
  if (!text) return text;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`;
}
