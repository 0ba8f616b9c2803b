import { multiple, optional, single, value, withDefault } from './moodle-params';
import { invalidParameter } from './moodle-ws-error';
import { courseOut, fullnameOf, type WsFunction } from './ws-function';

/** core_webservice_get_site_info (webservice/externallib.php). */
const getSiteInfo: WsFunction = {
  params: { serviceshortnames: withDefault(multiple(value('alphanumext')), []) },
  run(_args, { state, wsUser, allowedFunctions }) {
    return {
      sitename: state.site.sitename,
      username: wsUser.username,
      firstname: wsUser.firstname,
      lastname: wsUser.lastname,
      fullname: fullnameOf(wsUser),
      lang: 'ru',
      userid: wsUser.id,
      siteurl: state.site.siteurl,
      userpictureurl: `${state.site.siteurl}/theme/image.php/boost/core/1/u/f1`,
      functions: allowedFunctions.map((name) => ({ name, version: state.site.version.split('.')[0] })),
      downloadfiles: 1,
      uploadfiles: 1,
      release: state.site.release,
      version: state.site.version,
      mobilecssurl: '',
      advancedfeatures: [
        { name: 'usecomments', value: 1 },
        { name: 'enablecompletion', value: 1 },
      ],
      usercanmanageownfiles: true,
      userquota: 0,
      usermaxuploadfilesize: -1,
      userhomepage: 1,
      siteid: 1,
      sitecalendartype: 'gregorian',
      usercalendartype: 'gregorian',
      theme: 'boost',
    };
  },
};

/** The front page course Moodle lists among courses (SITEID). */
function siteCourse(sitename: string) {
  return {
    ...courseOut({ id: 1, shortname: 'school1', fullname: sitename, categoryid: 0 }),
    format: 'site',
    categoryid: 0,
  };
}

/** core_course_get_courses: every course, the site course included, or the ones of options[ids]. */
const getCourses: WsFunction = {
  params: { options: withDefault(single({ ids: optional(multiple(value('int'))) }), {}) },
  run(args, { state }) {
    const ids = (args.options as { ids?: number[] }).ids;
    const all = [siteCourse(state.site.sitename), ...state.courses.map(courseOut)];
    return ids ? all.filter((c) => ids.includes(c.id)) : all;
  },
};

const byFieldNames = ['', 'id', 'ids', 'shortname', 'idnumber', 'category', 'sectionid'];

/** core_course_get_courses_by_field: `{courses, warnings}`. */
const getCoursesByField: WsFunction = {
  params: { field: withDefault(value('alpha'), ''), value: withDefault(value('raw'), '') },
  run(args, { state }) {
    const field = args.field as string;
    const wanted = args.value as string;
    if (!byFieldNames.includes(field)) throw invalidParameter('Invalid field name');
    if (field !== '' && wanted === '') throw invalidParameter('When using a field, a value must be given');
    const courses = state.courses.map(courseOut).filter((c) => {
      switch (field) {
        case 'id':
          return c.id === Number(wanted);
        case 'ids':
          return wanted.split(',').map(Number).includes(c.id);
        case 'shortname':
          return c.shortname === wanted;
        case 'idnumber':
          return c.idnumber === wanted;
        case 'category':
          return c.categoryid === Number(wanted);
        default:
          return true;
      }
    });
    return {
      courses: courses.map((c) => ({ ...c, categoryname: `Категория ${c.categoryid}` })),
      warnings: [],
    };
  },
};

/** core_user_get_users_by_field: field id|idnumber|username|email, values[]. */
const getUsersByField: WsFunction = {
  params: { field: value('alpha'), values: multiple(value('raw')) },
  run(args, { state }) {
    const field = args.field as string;
    const values = args.values as string[];
    if (!['id', 'idnumber', 'username', 'email'].includes(field)) {
      throw invalidParameter(`Field "${field}" is not allowed to search users`);
    }
    return state.users
      .filter((u) => u.id > 1)
      .filter((u) =>
        values.includes(
          String(field === 'id' ? u.id : (u[field as 'idnumber' | 'username' | 'email'] ?? '')),
        ),
      )
      .map((u) => ({
        id: u.id,
        username: u.username,
        firstname: u.firstname,
        lastname: u.lastname,
        fullname: fullnameOf(u),
        email: u.email ?? '',
        ...(u.idnumber ? { idnumber: u.idnumber } : {}),
        auth: 'manual',
        suspended: false,
        confirmed: true,
        lang: 'ru',
        timezone: '99',
        mailformat: 1,
        firstaccess: 0,
        lastaccess: 0,
      }));
  },
};

export const coreFunctions: Record<string, WsFunction> = {
  core_webservice_get_site_info: getSiteInfo,
  core_course_get_courses: getCourses,
  core_course_get_courses_by_field: getCoursesByField,
  core_user_get_users_by_field: getUsersByField,
};
