"""OpenAPI 3.1 description of the public API (kept next to the code it describes)."""

DURATION_UNITS = ["minute", "hour", "working_day", "day", "week", "month", "year", "none"]

_nullable_int = {"type": ["integer", "null"]}
_str = {"type": "string"}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

SERVICE_SCHEMA = {
    "type": "object",
    "required": ["agency", "code", "name", "version", "url", "components", "requirements",
                 "steps", "duration", "cost", "channels", "legal_basis", "warnings"],
    "properties": {
        "agency": {**_str, "description": "Agency code, e.g. DINSOS-SEKADAU"},
        "code": {**_str, "description": "Service code, unique within the agency"},
        "name": _str,
        "kind": {"enum": ["consultation", "data_request", "information", "complaint", "other"]},
        "version": {"type": "integer", "description": "Version of the published standard"},
        "url": {**_str, "format": "uri", "description": "The public service page"},
        "components": {
            "type": "object",
            "description": "Original wording of each component present (Permenpan RB 15/2014).",
            "additionalProperties": _str,
            "propertyNames": {"enum": [
                "persyaratan", "prosedur", "jangka_waktu", "biaya", "produk", "pengaduan",
                "dasar_hukum", "sarana_prasarana", "kompetensi_pelaksana", "pengawasan_internal",
                "jumlah_pelaksana", "jaminan_pelayanan", "jaminan_keamanan", "evaluasi_kinerja"]},
        },
        "requirements": {"type": "array", "items": _str},
        "requirement_items": {"type": "array", "items": {"type": "object", "properties": {
            "label": _str, "kind": {"enum": ["document", "identity", "form", "other"]},
            "mandatory": {"type": "boolean"}, "group": _str}}},
        "steps": {"type": "array", "items": _str, "description": "Procedure step texts in order"},
        "procedure": {"type": "array", "items": {"type": "object", "properties": {
            "position": {"type": "integer"}, "text": _str, "actor": _str,
            "role": {"enum": ["applicant", "external", "front_desk", "operator", "handler",
                              "unit_head", "secretary", "head", "agency_admin", "overseer",
                              "auditor"]},
            "unit": {"type": ["string", "null"]},
            "action": {"enum": ["submit", "register", "verify", "dispose", "process", "consult",
                                "initial", "approve", "deliver", "answer"]},
            "stage": _str, "track": _str,
            "on_done": {**_nullable_int, "description": "next step; null = next in order; 0 = end"},
            "on_cannot_resolve": {**_nullable_int, "description": "escalation step"},
            "on_incomplete": {"enum": ["", "return_to_applicant"]},
            "can_reject": {"type": "boolean"}, "starts_clock": {"type": "boolean"}}}},
        "duration": {"type": "object", "required": ["min", "max", "unit", "clock_starts_at", "text"],
                     "properties": {
                         "min": {**_nullable_int, "description": "range start; null for one value"},
                         "max": {**_nullable_int, "description": "the deadline; null for unit none"},
                         "unit": {"enum": DURATION_UNITS + [None]},
                         "clock_starts_at": {**_str,
                                             "description": "'submitted' or the step starting the clock"},
                         "text": _str}},
        "cost": {"type": "object", "properties": {
            "free": {"type": "boolean"}, "amount": {"type": ["number", "null"]}}},
        "product": _str,
        "channels": {"type": "array", "items": {"type": "object", "properties": {
            "kind": {"enum": ["counter", "letter", "suggestion_box", "phone", "whatsapp", "email",
                              "website", "lapor", "app", "social_media", "radio", "team", "other"]},
            "value": {**_str, "description": "E.164 phone, e-mail address or URL; may be empty"}}}},
        "legal_basis": {"type": "array", "items": {"type": "object", "properties": {
            "type": _str, "number": {"type": ["string", "null"]},
            "year": _nullable_int, "title": {"type": ["string", "null"]}}}},
        "enactment": {"type": "object", "properties": {
            "decree_number": {"type": ["string", "null"]},
            "decree_date": {"type": ["string", "null"], "format": "date"}}},
        "warnings": {"type": "array", "items": _str},
    },
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Layanan public API",
            "version": "1",
            "description": "Published service standards (Standar Pelayanan) as the standard "
                           "interchange JSON. See docs/interchange.md.",
        },
        "paths": {
            "/api/v1/standards": {
                "get": {
                    "summary": "Published standards, optionally of one agency",
                    "operationId": "listStandards",
                    "parameters": [{
                        "name": "agency", "in": "query", "required": False,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,40}$"},
                        "description": "Agency code, e.g. DINSOS-SEKADAU",
                    }],
                    "responses": {
                        "200": {"description": "The standards", "content": {"application/json": {
                            "schema": {"type": "object", "required": ["services"], "properties": {
                                "services": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Service"}}}}}}},
                        "400": {"description": "Invalid agency code",
                                "content": ERROR_CONTENT},
                        "404": {"description": "Unknown agency",
                                "content": ERROR_CONTENT},
                    },
                }
            }
        },
        "components": {"schemas": {
            "Service": SERVICE_SCHEMA,
            "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "message": _str, "message_en": _str}}}},
        }},
    }
