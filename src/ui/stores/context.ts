import { getContext, setContext } from 'svelte';
import type { ProfilesStore } from './profiles.svelte';

const PROFILES = Symbol('profiles');

export function setProfilesStore(store: ProfilesStore): ProfilesStore {
  return setContext(PROFILES, store);
}

export function getProfilesStore(): ProfilesStore {
  const store = getContext<ProfilesStore | undefined>(PROFILES);
  if (!store) throw new Error('ProfilesStore missing: wrap the component in <ProfilePage>');
  return store;
}
