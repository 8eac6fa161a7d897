// The gallery of journey maps (#/maps): the workspace's maps with who saved them last, the
// built-in templates, and — for editors — a new map from a template or a stage model, an
// Excel import, and deleting a map.
import { api, session, wsPath } from '../api.js';
import { fmt, lang, register, t } from '../i18n.js';
import { card, clear, confirmDialog, empty, errorBox, field, h, into } from '../ui.js';
import { MAP_TYPES, textOf } from './editor-state.js';

register({
  en: {
    maps_title: 'Journey maps',
    maps_lead: 'The journey maps of this workspace, and templates to start a new one.',
    maps_yours: 'Maps in this workspace',
    maps_empty: 'No journey map yet',
    maps_empty_detail: 'Start one from a template below, or import an Excel grid.',
    maps_type: 'Type',
    maps_personas: 'Personas',
    maps_language: 'Language',
    maps_lang_en: 'In English',
    maps_lang_vi: 'In Vietnamese',
    maps_saved: 'Last saved',
    maps_saved_by: '{when} by {who}',
    maps_saved_file: '{when} (edited outside the app)',
    maps_stages: '{n} stages',
    maps_invalid: 'has problems',
    maps_open: 'Open',
    maps_open_label: 'Open map {name}',
    maps_delete: 'Delete',
    maps_delete_label: 'Delete map {name}',
    maps_delete_title: 'Delete this map?',
    maps_delete_text: 'The map {name} is removed from the workspace. Its saved versions are kept.',
    maps_templates: 'Templates',
    maps_use_template: 'Use this template',
    maps_use_label: 'Use this template: {title}',
    maps_new: 'New map',
    maps_new_name: 'Name (file name: letters, digits, - and _)',
    maps_new_from: 'Start from',
    maps_from_template: 'Template: {title}',
    maps_from_model: 'Blank map, stage model: {name}',
    maps_new_type: 'Map type (for a blank map)',
    maps_new_lang: 'Language of the words',
    maps_lang_both: 'Both (English and Vietnamese)',
    maps_create: 'Create map',
    maps_import: 'Import from Excel',
    maps_import_file: 'Excel file (.xlsx) exported from a map',
    maps_import_name: 'Name of the new map',
    maps_import_go: 'Import',
    maps_need_name: 'Give the new map a name.',
    maps_need_file: 'Choose an .xlsx file.',
  },
  vi: {
    maps_title: 'Bản đồ hành trình',
    maps_lead: 'Các bản đồ hành trình của workspace này, và các mẫu để bắt đầu bản đồ mới.',
    maps_yours: 'Bản đồ trong workspace',
    maps_empty: 'Chưa có bản đồ hành trình nào',
    maps_empty_detail: 'Hãy bắt đầu từ một mẫu bên dưới, hoặc nhập một bảng Excel.',
    maps_type: 'Loại',
    maps_personas: 'Chân dung',
    maps_language: 'Ngôn ngữ',
    maps_lang_en: 'Tiếng Anh',
    maps_lang_vi: 'Tiếng Việt',
    maps_saved: 'Lưu lần cuối',
    maps_saved_by: '{when} bởi {who}',
    maps_saved_file: '{when} (sửa ngoài ứng dụng)',
    maps_stages: '{n} giai đoạn',
    maps_invalid: 'có lỗi',
    maps_open: 'Mở',
    maps_open_label: 'Mở bản đồ {name}',
    maps_delete: 'Xoá',
    maps_delete_label: 'Xoá bản đồ {name}',
    maps_delete_title: 'Xoá bản đồ này?',
    maps_delete_text: 'Bản đồ {name} sẽ bị xoá khỏi workspace. Các phiên bản đã lưu vẫn được giữ.',
    maps_templates: 'Mẫu bản đồ',
    maps_use_template: 'Dùng mẫu này',
    maps_use_label: 'Dùng mẫu này: {title}',
    maps_new: 'Bản đồ mới',
    maps_new_name: 'Tên (tên tệp: chữ, số, - và _)',
    maps_new_from: 'Bắt đầu từ',
    maps_from_template: 'Mẫu: {title}',
    maps_from_model: 'Bản đồ trống, mô hình giai đoạn: {name}',
    maps_new_type: 'Loại bản đồ (cho bản đồ trống)',
    maps_new_lang: 'Ngôn ngữ của nội dung',
    maps_lang_both: 'Cả hai (tiếng Anh và tiếng Việt)',
    maps_create: 'Tạo bản đồ',
    maps_import: 'Nhập từ Excel',
    maps_import_file: 'Tệp Excel (.xlsx) xuất từ một bản đồ',
    maps_import_name: 'Tên bản đồ mới',
    maps_import_go: 'Nhập',
    maps_need_name: 'Hãy đặt tên cho bản đồ mới.',
    maps_need_file: 'Hãy chọn một tệp .xlsx.',
  },
});

const canEdit = () => session.user.role === 'editor' || session.user.role === 'admin';
const open = (name) => { window.location.hash = `#/maps/${encodeURIComponent(name)}`; };

function mapCard(detail, reload) {
  const title = detail.title ? textOf(detail.title, lang) : detail.name;
  const saved = detail.saved_by
    ? t('maps_saved_by', { when: fmt.dateTime(detail.saved_at), who: '' })
    : t('maps_saved_file', { when: fmt.dateTime(detail.saved_at) });
  const personas = detail.personas.map((p) => (p.name ? textOf(p.name, lang) : p.id));
  return h(
    'article',
    { class: 'card map-card', dataset: { map: detail.name } },
    h('h3', {}, h('a', { href: `#/maps/${encodeURIComponent(detail.name)}`, translate: 'no', class: 'map-title' }, title)),
    h('p', { class: 'muted small', translate: 'no' }, detail.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('maps_type')),
      h('dd', {}, detail.type ? t(`maptype_${detail.type}`) : '–', ' · ', detail.stages ? t('maps_stages', { n: fmt.int(detail.stages) }) : '', detail.valid ? null : h('span', { class: 'badge bad' }, t('maps_invalid'))),
      h('dt', {}, t('maps_personas')),
      h('dd', { translate: 'no', class: 'map-personas' }, personas.length ? personas.join(', ') : '–'),
      h('dt', {}, t('maps_language')),
      h('dd', {}, detail.language ? t(`maps_lang_${detail.language}`) : '–'),
      h('dt', {}, t('maps_saved')),
      h('dd', {}, saved, detail.saved_by ? h('span', { translate: 'no' }, detail.saved_by) : null),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'small', 'aria-label': t('maps_open_label', { name: detail.name }), onclick: () => open(detail.name) }, t('maps_open')),
      canEdit()
        ? h('button', {
          type: 'button',
          class: 'small map-delete',
          'aria-label': t('maps_delete_label', { name: detail.name }),
          onclick: async () => {
            if (!(await confirmDialog(t('maps_delete_title'), t('maps_delete_text', { name: detail.name }), { danger: true, confirmLabel: t('maps_delete') }))) return;
            await api(wsPath(`/maps/${encodeURIComponent(detail.name)}`), { method: 'DELETE' });
            reload();
          },
        }, t('maps_delete'))
        : null,
    ),
  );
}

function newMapForm(templates, models) {
  const name = h('input', { type: 'text', id: 'new-map-name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', autocomplete: 'off' });
  const from = h(
    'select',
    { id: 'new-map-from' },
    templates.map((tp) => h('option', { value: `template:${tp.id}` }, t('maps_from_template', { title: textOf(tp.title, lang) }))),
    models.map((m) => h('option', { value: `model:${m.id}` }, t('maps_from_model', { name: textOf(m.name, lang) }))),
  );
  const type = h('select', { id: 'new-map-type' }, MAP_TYPES.map((k) => h('option', { value: k }, t(`maptype_${k}`))));
  const language = h(
    'select',
    { id: 'new-map-lang' },
    h('option', { value: 'vi', selected: lang === 'vi' }, t('maps_lang_vi')),
    h('option', { value: 'en', selected: lang === 'en' }, t('maps_lang_en')),
    h('option', { value: 'both' }, t('maps_lang_both')),
  );
  const error = h('div', { class: 'form-error', role: 'alert', id: 'new-map-error' });
  const form = h(
    'form',
    {
      id: 'new-map',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        clear(error);
        const chosen = name.value.trim();
        if (!chosen) {
          error.textContent = t('maps_need_name');
          name.focus();
          return;
        }
        const [kind, id] = from.value.split(/:(.*)/s);
        const body = kind === 'template' ? { template: id, lang: language.value } : { stage_model: id, type: type.value, lang: language.value };
        try {
          await api(wsPath(`/maps/${encodeURIComponent(chosen)}/new`), { method: 'POST', body });
          open(chosen);
        } catch (failure) {
          clear(error, errorBox(failure));
        }
      },
    },
    h('div', { class: 'new-map-grid' }, field(t('maps_new_name'), name), field(t('maps_new_from'), from), field(t('maps_new_type'), type), field(t('maps_new_lang'), language)),
    h('button', { type: 'submit', class: 'primary', id: 'new-map-create' }, t('maps_create')),
    error,
  );
  return { box: card(t('maps_new'), form), choose(templateId) {
    from.value = `template:${templateId}`;
    name.focus();
  } };
}

function importForm() {
  const name = h('input', { type: 'text', id: 'import-name', autocomplete: 'off' });
  const file = h('input', { type: 'file', id: 'import-file', accept: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const go = h('button', {
    type: 'button',
    id: 'import-go',
    onclick: async () => {
      clear(error);
      const chosen = name.value.trim();
      if (!chosen) return void (error.textContent = t('maps_need_name'));
      if (!file.files.length) return void (error.textContent = t('maps_need_file'));
      try {
        await api(wsPath(`/maps/${encodeURIComponent(chosen)}/import`), { method: 'POST', body: file.files[0], headers: { 'Content-Type': 'application/octet-stream' } });
        open(chosen);
      } catch (failure) {
        clear(error, errorBox(failure));
      }
    },
  }, t('maps_import_go'));
  return card(t('maps_import'), h('div', { class: 'new-map-grid' }, field(t('maps_import_file'), file), field(t('maps_import_name'), name)), go, error);
}

function templateCard(tp, use) {
  return h(
    'article',
    { class: 'card template-card' },
    h('h3', {}, textOf(tp.title, lang)),
    h('p', { class: 'muted small' }, t(`maptype_${tp.type}`), ' · ', t('maps_stages', { n: fmt.int(tp.stages) })),
    h('p', {}, textOf(tp.description, lang)),
    use ? h('button', { type: 'button', class: 'small', 'aria-label': t('maps_use_label', { title: textOf(tp.title, lang) }), onclick: () => use(tp.id) }, t('maps_use_template')) : null,
  );
}

export async function render(main) {
  main.append(h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, t('maps_title')), h('p', {}, t('maps_lead')))));
  const box = h('div', { id: 'gallery' });
  main.append(box);
  const load = () => into(box, async () => {
    const [listed, templates, models] = await Promise.all([
      api(wsPath('/maps'), { query: { details: true } }),
      api(wsPath('/maps/templates')),
      canEdit() ? api(wsPath('/stage-models')) : Promise.resolve([]),
    ]);
    const maps = listed.details;
    const creator = canEdit() ? newMapForm(templates, models) : null;
    return h(
      'div',
      {},
      h('section', { 'aria-labelledby': 'maps-yours' }, h('h2', { id: 'maps-yours' }, t('maps_yours')), maps.length ? h('div', { class: 'grid map-grid' }, maps.map((d) => mapCard(d, load))) : empty(t('maps_empty'), t('maps_empty_detail'))),
      creator ? h('div', { class: 'grid two' }, creator.box, importForm()) : null,
      h('section', { 'aria-labelledby': 'maps-templates' }, h('h2', { id: 'maps-templates' }, t('maps_templates')), h('div', { class: 'grid map-grid' }, templates.map((tp) => templateCard(tp, creator ? (id) => creator.choose(id) : null)))),
    );
  });
  await load();
}
