#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, so <libxml/encoding.h> includes the system ICU headers
 * (<unicode/ucnv.h>), whose types clash with Foundation's own ICU module in any Swift module
 * that imports both (seen as `UErrorCode` redefinition errors). debtflow never reads or
 * allocates an xmlCharEncodingHandler (whose trailing ICU fields are the only thing the macro
 * adds); it only passes pointers libxml2 owns. So the ICU part of the headers is hidden. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <stdarg.h>
#include <stdio.h>

/* libxml2 prints some messages (encoding conversion failures among them) through its "generic"
 * error function, stderr by default, whose signature is C-variadic and so cannot be written in
 * Swift. These helpers route them to a plain callback instead: the message is formatted here and
 * handed over as one string. libxml2 keeps the handlers per thread; set them around each call
 * into the parser and clear them after. */
typedef void (*CLibXML2_MessageCallback)(void *context, const char *message);

/* Where generic messages go: the callback and its context (owned by the Swift side). */
typedef struct {
    CLibXML2_MessageCallback callback;
    void *context;
} CLibXML2_MessageSink;

static void CLibXML2_forwardGenericError(void *sink, const char *format, ...) {
    char text[1024];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    CLibXML2_MessageSink *target = (CLibXML2_MessageSink *)sink;
    if (target != NULL && target->callback != NULL) target->callback(target->context, text);
}

/* Routes libxml2's generic and structured error output of the calling thread to `sink` and
 * `structured` (with `structuredContext`); NULLs restore libxml2's defaults. */
static inline void CLibXML2_setErrorHandlers(CLibXML2_MessageSink *sink, xmlStructuredErrorFunc structured,
                                             void *structuredContext) {
    xmlSetGenericErrorFunc(sink, sink != NULL ? CLibXML2_forwardGenericError : NULL);
    xmlSetStructuredErrorFunc(structured != NULL ? structuredContext : NULL, structured);
}
#endif
