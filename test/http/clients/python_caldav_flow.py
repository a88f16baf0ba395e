# python-caldav (Debian's python3-caldav) against the server: what a Python
# script or tool does with it. Prints one JSON object per step; the test
# (test/http/python-caldav.test.ts) checks them. Usage: python3 this.py URL USER PASSWORD
import datetime, json, sys, traceback

import caldav

url, user, password = sys.argv[1:4]
client = caldav.DAVClient(url=url, username=user, password=password)
out = []


def step(name, f):
    try:
        detail = f()
        out.append({"step": name, "ok": True, "detail": detail})
        return detail
    except Exception as e:  # reported, and the test fails on it
        out.append({"step": name, "ok": False, "detail": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=4)})
        return None


def ics(uid, summary, start, extra=""):
    return (f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//python-caldav flow//EN\nBEGIN:VEVENT\nUID:{uid}\n"
            f"DTSTAMP:20260101T000000Z\nDTSTART:{start}\nDURATION:PT1H\nSUMMARY:{summary}\n{extra}END:VEVENT\nEND:VCALENDAR\n")


principal = client.principal()
step("principal", lambda: str(principal.url))
cals = {c.name: c for c in principal.calendars()}
step("calendars", lambda: sorted(cals))
cal, tasks = cals["Calendar"], cals["Tasks"]

step("save_event", lambda: str(cal.save_event(ics("py-1@example.com", "Planning", "20260610T090000Z")).url))
step("save_event recurring", lambda: str(cal.save_event(ics("py-weekly@example.com", "Weekly", "20260601T120000Z", "RRULE:FREQ=WEEKLY;COUNT=4\n")).url))
step("search June", lambda: sorted(str(e.icalendar_component["uid"]) for e in cal.search(start=datetime.datetime(2026, 6, 1), end=datetime.datetime(2026, 7, 1), event=True)))
step("search June expanded", lambda: sorted(e.icalendar_component["dtstart"].dt.isoformat() for e in cal.search(start=datetime.datetime(2026, 6, 1), end=datetime.datetime(2026, 7, 1), event=True, expand=True) if str(e.icalendar_component["uid"]) == "py-weekly@example.com"))
step("event_by_uid", lambda: str(cal.event_by_uid("py-1@example.com").icalendar_component["summary"]))

collection = cal.objects_by_sync_token(load_objects=True)
step("sync initial", lambda: {"uids": sorted(str(o.icalendar_component["uid"]) for o in collection), "token": collection.sync_token})
token = collection.sync_token


def edit():
    e = cal.event_by_uid("py-1@example.com")
    e.icalendar_component["summary"] = "Planning (moved)"
    e.save()
    return str(cal.event_by_uid("py-1@example.com").icalendar_component["summary"])


step("edit", edit)
step("save_event 2", lambda: str(cal.save_event(ics("py-2@example.com", "Second", "20260612T090000Z")).url))
step("delete", lambda: cal.event_by_uid("py-weekly@example.com").delete())


def delta():
    d = cal.objects_by_sync_token(sync_token=token, load_objects=True)
    return {"uids": sorted(str(o.icalendar_component["uid"]) for o in d if o.data), "token": d.sync_token}


step("sync delta", delta)


def resync():
    updated, deleted = collection.sync()
    return {"updated": sorted(str(o.icalendar_component["uid"]) for o in updated), "deleted": len(deleted)}


step("collection.sync", resync)
step("save_todo", lambda: str(tasks.save_todo("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//python-caldav flow//EN\nBEGIN:VTODO\nUID:py-t1\nDTSTAMP:20260101T000000Z\nDUE:20260615T170000Z\nSUMMARY:Report\nEND:VTODO\nEND:VCALENDAR\n").url))
step("todos", lambda: sorted(str(t.icalendar_component["summary"]) for t in tasks.todos()))
step("todo in the event calendar", lambda: cal.save_todo("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\nBEGIN:VTODO\nUID:py-t2\nDTSTAMP:20260101T000000Z\nSUMMARY:No\nEND:VTODO\nEND:VCALENDAR\n") and "stored")
step("freebusy", lambda: str(cal.freebusy_request(datetime.datetime(2026, 6, 1), datetime.datetime(2026, 7, 1)).data))
print(json.dumps(out))
