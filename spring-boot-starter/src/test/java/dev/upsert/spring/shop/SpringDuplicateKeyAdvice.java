package dev.upsert.spring.shop;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Catches Spring's DuplicateKeyException, as a Spring JDBC application does; ours is its cause. */
@RestControllerAdvice
class SpringDuplicateKeyAdvice {

    @ExceptionHandler(DuplicateKeyException.class)
    ProblemDetail conflict(DuplicateKeyException e) {
        dev.upsert.DuplicateKeyException duplicate = dev.upsert.DuplicateKeyException.find(e).orElseThrow(() -> e);
        String field = String.join(",", duplicate.getAttributeNames());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, field + " is already taken");
        problem.setProperty("field", field);
        return problem;
    }
}
