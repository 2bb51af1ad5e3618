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
#endif
