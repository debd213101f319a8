// Placeholder: the formats implementation lands here.
#include "formats/format.h"
