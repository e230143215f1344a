// Deleting a resource, from its row in the list or from its own page: asked first, and an API
// error shown where the buttons are.
import { api, ws } from './api.js';
import { errorBox, confirmDialog } from './dom.js';

// Asks, then deletes; an error from the API is shown in `errorPlace`. True once deleted.
export async function deleteResource(path, errorPlace) {
  if (!(await confirmDialog(`Delete the resource ${path}? Scripts that read it will fail.`))) return false;
  errorPlace.querySelector('.error')?.remove();
  const buttons = [...errorPlace.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  try {
    await api.del(ws(`/resources/delete/${path}`));
    return true;
  } catch (e) {
    errorPlace.append(errorBox(e));
    return false;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}
