// ObjectInfo lists in columns for the trip from a calendar home to the
// Worker (Durable Object RPC): a listing of 10,000 members crosses as a
// dozen arrays rather than 10,000 records that each spell out their keys.
import type { ObjectInfo, PropMap } from "./model.js";

export interface PackedObjects {
  packed: true;
  collection: string[];
  name: string[];
  uid: string[];
  component: string[];
  etag: string[];
  scheduleTag: Array<string | null>;
  size: number[];
  bodyKey: string[];
  rev: number[];
  created: number[];
  modified: number[];
  /** Only the members that have properties (their positions and their properties), and bodies, alike. */
  propsAt: number[];
  props: PropMap[];
  bodiesAt: number[];
  bodies: string[];
}

export function packObjects(objects: ObjectInfo[]): PackedObjects {
  const p: PackedObjects = {
    packed: true, collection: [], name: [], uid: [], component: [], etag: [], scheduleTag: [], size: [], bodyKey: [], rev: [],
    created: [], modified: [], propsAt: [], props: [], bodiesAt: [], bodies: [],
  };
  for (const [i, o] of objects.entries()) {
    p.collection.push(o.collection);
    p.name.push(o.name);
    p.uid.push(o.uid);
    p.component.push(o.component);
    p.etag.push(o.etag);
    p.scheduleTag.push(o.scheduleTag);
    p.size.push(o.size);
    p.bodyKey.push(o.bodyKey);
    p.rev.push(o.rev);
    p.created.push(o.created);
    p.modified.push(o.modified);
    for (const _ in o.props) {
      p.propsAt.push(i);
      p.props.push(o.props);
      break;
    }
    if (o.body !== undefined) {
      p.bodiesAt.push(i);
      p.bodies.push(o.body);
    }
  }
  return p;
}

export function unpackObjects(p: PackedObjects): ObjectInfo[] {
  const props = new Map(p.propsAt.map((at, k) => [at, p.props[k]!]));
  const bodies = new Map(p.bodiesAt.map((at, k) => [at, p.bodies[k]!]));
  return p.name.map((name, i) => {
    const body = bodies.get(i);
    return {
      ...(body !== undefined ? { body } : {}),
      collection: p.collection[i]!, name, uid: p.uid[i]!, component: p.component[i]!, etag: p.etag[i]!, scheduleTag: p.scheduleTag[i] ?? null,
      size: p.size[i]!, bodyKey: p.bodyKey[i]!, rev: p.rev[i]!, created: p.created[i]!, modified: p.modified[i]!, props: props.get(i) ?? {},
    };
  });
}
